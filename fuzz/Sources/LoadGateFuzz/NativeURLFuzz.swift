import CNet
@testable import LoadGate

/// The `native-url` target: a URL (the input's first line) and step headers (the other lines,
/// `Name: value`) through `NativeURL` and `NativeRequest.head`. Traps when an accepted URL has an
/// address the transport cannot parse (its precondition would trap a run), a port out of range, a
/// target that is not a clean origin-form path, a split that changes when its own output is parsed
/// again, or when the head has a CR or LF anywhere but at its line ends, or not exactly one
/// request line, one Host and the Content-Length the body calls for.
enum NativeURLFuzz {
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func run(_ input: [UInt8]) {
        let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        let text = String(decoding: lines.first ?? [], as: UTF8.self)
        guard let url = NativeURL(text) else { return }
        var address = lg_address()
        guard lg_address_numeric(url.host, Int32(url.port), &address) == 0 else { fatalError("accepted an address the transport cannot parse: \(url)") }
        guard (1...65535).contains(url.port) else { fatalError("port \(url.port)") }
        guard url.target.hasPrefix("/"), !url.target.contains("#"),
              url.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { fatalError("target \(url.target.debugDescription)") }
        let bracketed = url.host.contains(":") ? "[\(url.host)]" : url.host
        guard url.hostHeader == bracketed || url.hostHeader == "\(bracketed):\(url.port)" else { fatalError("Host \(url.hostHeader)") }
        guard let again = NativeURL("http://\(bracketed):\(url.port)\(url.target)"), again == url else {
            fatalError("\(url) does not read back as itself")
        }

        // Step headers as the callers mean to hand them over: names without a colon, space, CR, LF
        // or NUL byte, values without CR, LF or NUL (split on bytes: a colon followed by a
        // combining mark is one Character, and still a colon on the wire).
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...].drop { $0 == 0x20 }, as: UTF8.self)
            guard !name.utf8.contains(where: { $0 == 0x3A || $0 == 0x20 }), !LineBreakGuard.isUnsafe(name), !LineBreakGuard.isUnsafe(value) else {
                continue
            }
            headers.append((name, value))
        }
        let method = methods[input.count % methods.count]
        let bodyLength = NativeRequest.bodyLength(method: method, body: input.count % 3 == 0 ? nil : input.count)
        let head = NativeRequest.head(method: method, url: url, headers: headers, bodyLength: bodyLength)

        guard head.count >= 4, head.suffix(4) == [0x0D, 0x0A, 0x0D, 0x0A] else { fatalError("the head does not end with a blank line") }
        var headLines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in head.indices {
            switch head[index] {
            case 0x0D:
                guard index + 1 < head.count, head[index + 1] == 0x0A else { fatalError("a CR that does not end a line") }
            case 0x0A:
                guard index > 0, head[index - 1] == 0x0D else { fatalError("an LF that does not end a line") }
                headLines.append(head[start..<(index - 1)])
                start = index + 1
            case 0:
                fatalError("a NUL in the head")
            default:
                break
            }
        }
        guard headLines.last?.isEmpty == true, headLines.dropLast().allSatisfy({ !$0.isEmpty }) else { fatalError("an empty line inside the head") }
        guard String(decoding: headLines[0], as: UTF8.self) == "\(method) \(url.target) HTTP/1.1" else { fatalError("request line") }
        let names = headLines.dropFirst().map { line in String(decoding: line.prefix { $0 != 0x3A }, as: UTF8.self).lowercased() }
        guard names.filter({ $0 == "host" }).count == 1 else { fatalError("not exactly one Host") }
        let lengths = headLines.filter { String(decoding: $0, as: UTF8.self).lowercased().hasPrefix("content-length:") }
        guard lengths.map({ String(decoding: $0, as: UTF8.self) }) == (bodyLength.map { ["Content-Length: \($0)"] } ?? []) else {
            fatalError("Content-Length lines \(lengths.count) for body \(String(describing: bodyLength))")
        }
        guard !names.contains("transfer-encoding") else { fatalError("a Transfer-Encoding beside the engine's own framing") }
    }
}
