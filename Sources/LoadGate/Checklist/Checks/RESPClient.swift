import Foundation

/// A blocking Redis (RESP2) client over a connected socket: enough for AUTH, PING, SET/GET/DEL and
/// INFO. Error replies are kept verbatim (`-NOAUTH Authentication required.`).
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

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func command(_ arguments: [String]) -> Reply {
        var out = "*\(arguments.count)\r\n"
        for argument in arguments { out += "$\(argument.utf8.count)\r\n\(argument)\r\n" }
        let bytes = Array(out.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return .broken("send failed: \(String(cString: strerror(errno)))") }
            sent += written
        }
        return read()
    }

    private func line() -> String? {
        while true {
            if let index = buffer.firstIndex(of: 0x0A), index > 0, buffer[index - 1] == 0x0D {
                let text = String(decoding: buffer[0..<(index - 1)], as: UTF8.self)
                buffer.removeFirst(index + 1)
                return text
            }
            guard fill() else { return nil }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = recv(fd, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    private func read() -> Reply {
        guard let header = line(), let kind = header.first else { return .broken("no reply (timeout or closed)") }
        let rest = String(header.dropFirst())
        switch kind {
        case "+": return .simple(rest)
        case "-": return .error(rest)
        case ":": return .integer(Int(rest) ?? 0)
        case "$":
            guard let length = Int(rest) else { return .broken("bad bulk length") }
            if length < 0 { return .null }
            while buffer.count < length + 2 { guard fill() else { return .broken("truncated bulk reply") } }
            let text = String(decoding: buffer[0..<length], as: UTF8.self)
            buffer.removeFirst(length + 2)
            return .bulk(text)
        case "*":
            guard let count = Int(rest) else { return .broken("bad array length") }
            if count < 0 { return .null }
            return .array((0..<count).map { _ in read() })
        default: return .broken("unexpected reply \(header.prefix(40))")
        }
    }
}
