import Foundation

/// A blocking Redis (RESP2) client over a `RedisStream` (plaintext or TLS): enough for AUTH, PING,
/// SET/GET/DEL, INFO, CONFIG GET and CLUSTER. Error replies are kept verbatim
/// (`-NOAUTH Authentication required.`); a broken stream is kept as `failure` so callers can tell a
/// closed connection from a timeout or a TLS alert.
final class RESPClient {
    enum Reply: Equatable {
        case simple(String), error(String), integer(Int), bulk(String), null, array([Reply]), broken(String)

        var display: String {
            switch self {
            case let .simple(text): return text
            case let .error(text): return "-" + text
            case let .integer(value): return String(value)
            case let .bulk(text): return "\"\(text.prefix(40))\""
            case .null: return "(nil)"
            case let .array(items): return "[\(items.map(\.display).joined(separator: ", "))]"
            case let .broken(reason): return "(\(reason))"
            }
        }
    }

    /// Bounds on what a peer can make the client hold (CLUSTER NODES of a large cluster fits easily).
    static let maxBulkBytes = 16 << 20
    static let maxArrayCount = 1 << 20
    static let maxLineBytes = 64 * 1024
    static let maxNesting = 8

    private let stream: RedisStream
    private var buffer: [UInt8] = []
    /// Why the stream broke, once it has.
    private(set) var failure: RedisStreamFailure?

    init(stream: RedisStream) { self.stream = stream }

    deinit { stream.close() }

    func command(_ arguments: [String]) -> Reply {
        var out = "*\(arguments.count)\r\n"
        for argument in arguments { out += "$\(argument.utf8.count)\r\n\(argument)\r\n" }
        if let failure = stream.write(Array(out.utf8)) {
            self.failure = failure
            return .broken(failure.description)
        }
        return read(depth: 0)
    }

    /// One CRLF-terminated line; nil when the stream broke, the line is not CRLF-terminated (not
    /// Redis speaking) or longer than `maxLineBytes` (a peer that never ends its line).
    private func line() -> String? {
        var searchedUpTo = 0
        while true {
            if let index = buffer[searchedUpTo...].firstIndex(of: 0x0A) {
                guard index > 0, buffer[index - 1] == 0x0D else {
                    failure = .other("a reply line not ended by CRLF: not a Redis server?")
                    return nil
                }
                let text = String(decoding: buffer[0..<(index - 1)], as: UTF8.self)
                buffer.removeFirst(index + 1)
                return text
            }
            searchedUpTo = buffer.count
            guard buffer.count <= Self.maxLineBytes else {
                failure = .other("a reply line longer than \(Self.maxLineBytes) bytes: not a Redis server?")
                return nil
            }
            guard fill() else { return nil }
        }
    }

    private func fill() -> Bool {
        if let failure = stream.read(into: &buffer) {
            self.failure = failure
            return false
        }
        return true
    }

    private func read(depth: Int) -> Reply {
        guard let header = line(), let kind = header.first else { return .broken("no reply: \(failure?.description ?? "empty line")") }
        let rest = String(header.dropFirst())
        switch kind {
        case "+": return .simple(rest)
        case "-": return .error(rest)
        case ":":
            guard let number = Int(rest) else { return .broken("bad integer reply") }
            return .integer(number)
        case "$":
            guard let length = Int(rest) else { return .broken("bad bulk length") }
            if length < 0 { return .null }
            guard length <= Self.maxBulkBytes else { return .broken("bulk reply of \(length) bytes refused (limit \(Self.maxBulkBytes))") }
            while buffer.count < length + 2 { guard fill() else { return .broken("truncated bulk reply: \(failure?.description ?? "")") } }
            let text = String(decoding: buffer[0..<length], as: UTF8.self)
            buffer.removeFirst(length + 2)
            return .bulk(text)
        case "*":
            guard let count = Int(rest) else { return .broken("bad array length") }
            if count < 0 { return .null }
            guard count <= Self.maxArrayCount else { return .broken("array reply of \(count) elements refused (limit \(Self.maxArrayCount))") }
            guard depth < Self.maxNesting else { return .broken("arrays nested deeper than \(Self.maxNesting)") }
            var items: [Reply] = []
            for _ in 0..<count {
                let item = read(depth: depth + 1)
                if case .broken = item { return item }
                items.append(item)
            }
            return .array(items)
        default: return .broken("unexpected reply \(header.prefix(40).debugDescription): not a Redis server?")
        }
    }
}
