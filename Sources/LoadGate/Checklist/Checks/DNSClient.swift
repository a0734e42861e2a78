import Foundation

/// A minimal DNS client over UDP (RFC 1035): one question, answers of type A, AAAA, CNAME, SRV or
/// TXT, and the response code, so NXDOMAIN, REFUSED and a timeout are told apart.
enum DNSClient {
    enum Answer: Equatable {
        case records([String])
        case rcode(Int)
    }

    static let types: [String: UInt16] = ["A": 1, "CNAME": 5, "TXT": 16, "AAAA": 28, "SRV": 33]

    static func rcodeName(_ code: Int) -> String {
        switch code {
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        default: return "RCODE \(code)"
        }
    }

    static func query(name: String, type: String, server: String, port: Int, timeoutNanos: Int64) -> Result<Answer, TCPProbe.Failure> {
        guard let qtype = types[type] else { return .failure(.other("unsupported type \(type)")) }
        let id = UInt16.random(in: 0...UInt16.max)
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard bytes.count < 64 else { return .failure(.other("label too long")) }
            packet.append(UInt8(bytes.count))
            packet += bytes
        }
        packet += [0, UInt8(qtype >> 8), UInt8(qtype & 0xff), 0, 1]

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, server, &address.sin_addr) == 1 else { return .failure(.other("DNS server must be an IPv4 address: \(server)")) }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.other("socket failed")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(timeoutNanos / 1_000_000_000), tv_usec: Int(timeoutNanos % 1_000_000_000 / 1_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == packet.count else { return .failure(.other("send failed: \(String(cString: strerror(errno)))")) }
        let deadline = MonotonicClock.nowNanos() + timeoutNanos
        var buffer = [UInt8](repeating: 0, count: 4096)
        while MonotonicClock.nowNanos() < deadline {
            let received = recv(fd, &buffer, buffer.count, 0)
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return .failure(.timeout(timeoutNanos)) }
                if errno == ECONNREFUSED { return .failure(.refused) }
                return .failure(.other(String(cString: strerror(errno))))
            }
            let message = Array(buffer[0..<received])
            guard message.count >= 12, UInt16(message[0]) << 8 | UInt16(message[1]) == id else { continue }
            return parse(message, qtype: qtype).map { .success($0) } ?? .failure(.other("malformed DNS response"))
        }
        return .failure(.timeout(timeoutNanos))
    }

    static func parse(_ message: [UInt8], qtype: UInt16) -> Answer? {
        let rcode = Int(message[3] & 0x0f)
        if rcode != 0 { return .rcode(rcode) }
        let questions = Int(message[4]) << 8 | Int(message[5])
        let answers = Int(message[6]) << 8 | Int(message[7])
        var offset = 12
        for _ in 0..<questions {
            guard skipName(message, &offset) else { return nil }
            offset += 4
        }
        var records: [String] = []
        for _ in 0..<answers {
            guard skipName(message, &offset), offset + 10 <= message.count else { return nil }
            let type = UInt16(message[offset]) << 8 | UInt16(message[offset + 1])
            let length = Int(message[offset + 8]) << 8 | Int(message[offset + 9])
            offset += 10
            guard offset + length <= message.count else { return nil }
            let data = Array(message[offset..<offset + length])
            if type == qtype {
                switch type {
                case 1 where length == 4: records.append(data.map(String.init).joined(separator: "."))
                case 28 where length == 16:
                    var text = [CChar](repeating: 0, count: 64)
                    _ = data.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, 64) }
                    records.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                case 5:
                    var at = offset
                    records.append(readName(message, &at) ?? "")
                case 33 where length >= 7:
                    var at = offset + 6
                    let priority = Int(data[0]) << 8 | Int(data[1]), weight = Int(data[2]) << 8 | Int(data[3]), port = Int(data[4]) << 8 | Int(data[5])
                    records.append("\(priority) \(weight) \(port) \(readName(message, &at) ?? "")")
                case 16:
                    var text = ""
                    var at = 0
                    while at < data.count {
                        let count = Int(data[at])
                        text += String(decoding: data[(at + 1)..<min(data.count, at + 1 + count)], as: UTF8.self)
                        at += 1 + count
                    }
                    records.append(text)
                default: break
                }
            }
            offset += length
        }
        return .records(records)
    }

    private static func skipName(_ message: [UInt8], _ offset: inout Int) -> Bool {
        while offset < message.count {
            let length = Int(message[offset])
            if length == 0 { offset += 1; return true }
            if length & 0xC0 == 0xC0 { offset += 2; return true }
            offset += 1 + length
        }
        return false
    }

    private static func readName(_ message: [UInt8], _ offset: inout Int) -> String? {
        var labels: [String] = []
        var at = offset
        var jumped = false
        var hops = 0
        while at < message.count, hops < 64 {
            let length = Int(message[at])
            if length == 0 { if !jumped { offset = at + 1 }; return labels.joined(separator: ".") }
            if length & 0xC0 == 0xC0 {
                guard at + 1 < message.count else { return nil }
                if !jumped { offset = at + 2 }
                at = (length & 0x3F) << 8 | Int(message[at + 1])
                jumped = true
                hops += 1
                continue
            }
            guard at + 1 + length <= message.count else { return nil }
            labels.append(String(decoding: message[(at + 1)..<(at + 1 + length)], as: UTF8.self))
            at += 1 + length
        }
        return nil
    }

    /// The first nameserver of /etc/resolv.conf (the system resolver's server), or nil.
    static func systemServer() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, parts[0] == "nameserver", parts[1].contains(".") { return String(parts[1]) }
        }
        return nil
    }
}
