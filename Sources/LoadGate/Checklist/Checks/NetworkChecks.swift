import Foundation

/// `tcp`, `vpn` and `dns` checks.
enum NetworkChecks {
    static func tcp(host: String, port: Int, localAddress: String?, timeoutNanos: Int64) -> CheckOutcome {
        let expected = "TCP connect to \(host):\(port)" + (localAddress.map { " from \($0)" } ?? "") + " within \(DurationText.format(nanos: timeoutNanos))"
        switch TCPProbe.connect(host: host, port: port, timeoutNanos: timeoutNanos, localAddress: localAddress) {
        case let .success((fd, nanos)):
            close(fd)
            return .pass(expected, "connected in \(DurationText.format(nanos: nanos))")
        case let .failure(failure):
            return .fail(expected, failure.description, "\(host):\(port) is not reachable: \(failure)")
        }
    }

    static func vpn(_ spec: VPNSpec, timeoutNanos: Int64) -> CheckOutcome {
        let name = spec.interface
        var expectedParts = ["interface \(name) up"]
        if let cidr = spec.cidr { expectedParts.append("an address in \(cidr)") }
        if let target = spec.routeTo { expectedParts.append("route to \(target) via \(name)") }
        if let probe = spec.probe { expectedParts.append("\(probe.host):\(probe.port) answers") }
        let expected = expectedParts.joined(separator: ", ")
        let base = "/sys/class/net/\(name)"
        guard FileManager.default.fileExists(atPath: base) else {
            return .fail(expected, "no interface \(name)", "interface \(name) does not exist (is the VPN connected?)")
        }
        let flagsText = (try? String(contentsOfFile: base + "/flags", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0x0"
        let flags = Int(flagsText.dropFirst(2), radix: 16) ?? 0
        let operstate = (try? String(contentsOfFile: base + "/operstate", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        var observed = ["\(name) flags \(flagsText) operstate \(operstate)"]
        // IFF_UP (0x1) and IFF_RUNNING (0x40); tunnels often report operstate "unknown".
        guard flags & 0x1 != 0, operstate != "down" else {
            return .fail(expected, observed.joined(separator: "; "), "interface \(name) exists but is down")
        }
        let addresses = interfaceIPv4Addresses(name)
        observed.append("addresses \(addresses.isEmpty ? "none" : addresses.joined(separator: ", "))")
        if let cidr = spec.cidr {
            guard addresses.contains(where: { ipv4($0, inCIDR: cidr) }) else {
                return .fail(expected, observed.joined(separator: "; "), "\(name) holds no address in \(cidr)")
            }
        }
        if let target = spec.routeTo {
            let routeInterface = routeInterfaceIPv4(for: target)
            observed.append("route to \(target) via \(routeInterface ?? "none")")
            guard routeInterface == name else {
                return .fail(expected, observed.joined(separator: "; "), "traffic to \(target) would not go through \(name)")
            }
        }
        if let probe = spec.probe {
            let outcome = tcp(host: probe.host, port: probe.port, localAddress: nil, timeoutNanos: timeoutNanos)
            observed.append("probe: \(outcome.observed)")
            guard outcome.passed else { return .fail(expected, observed.joined(separator: "; "), "nothing answers at \(probe.host):\(probe.port) behind \(name)") }
        }
        return .pass(expected, observed.joined(separator: "; "))
    }

    static func interfaceIPv4Addresses(_ name: String) -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var out: [String] = []
        var cursor = list
        while let entry = cursor {
            if String(cString: entry.pointee.ifa_name) == name, let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                var text = [CChar](repeating: 0, count: 32)
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { var inAddr = $0.pointee.sin_addr; _ = inet_ntop(AF_INET, &inAddr, &text, 32) }
                out.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ifa_next
        }
        return out
    }

    static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
        return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    static func ipv4(_ address: String, inCIDR cidr: String) -> Bool {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let network = parseIPv4(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits),
              let value = parseIPv4(address) else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << UInt32(32 - bits)
        return value & mask == network & mask
    }

    /// The interface the main IPv4 routing table sends `target` through (longest prefix match over
    /// /proc/net/route), or nil.
    static func routeInterfaceIPv4(for target: String) -> String? {
        guard let value = parseIPv4(target), let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else { return nil }
        var best: (bits: Int, name: String)?
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let mask = UInt32(fields[7], radix: 16) else { continue }
            // /proc/net/route is little-endian.
            let network = destination.byteSwapped, netmask = mask.byteSwapped
            guard value & netmask == network & netmask else { continue }
            let bits = netmask.nonzeroBitCount
            if best == nil || bits > best!.bits { best = (bits, String(fields[0])) }
        }
        return best?.name
    }

    static func dns(_ spec: DNSSpec, timeoutNanos: Int64) -> CheckOutcome {
        var expected = "\(spec.type) \(spec.name)"
        if let equals = spec.equals { expected += " = {\(equals.sorted().joined(separator: ", "))}" }
        if let contains = spec.contains { expected += " contains {\(contains.sorted().joined(separator: ", "))}" }
        if spec.equals == nil && spec.contains == nil { expected += " resolves" }
        let server: String
        let port: Int
        if let configured = spec.server, let (host, p) = splitHostPort(configured) {
            server = host
            port = p
        } else if let system = DNSClient.systemServer() {
            server = system
            port = 53
        } else {
            return .fail(expected, "no DNS server", "no server given and none in /etc/resolv.conf")
        }
        expected += " via \(server):\(port)"
        switch DNSClient.query(name: spec.name, type: spec.type, server: server, port: port, timeoutNanos: timeoutNanos) {
        case let .failure(failure):
            return .fail(expected, failure.description, "DNS query failed: \(failure)")
        case let .success(.rcode(code)):
            let name = DNSClient.rcodeName(code)
            return .fail(expected, name, code == 3 ? "\(spec.name) does not exist (NXDOMAIN)" : "the server answered \(name)")
        case let .success(.records(records)):
            let observed = records.isEmpty ? "no \(spec.type) records" : records.sorted().joined(separator: ", ")
            if let equals = spec.equals, Set(equals) != Set(records) {
                return .fail(expected, observed, "the answer differs from the expected set")
            }
            if let contains = spec.contains, !Set(contains).isSubset(of: Set(records)) {
                return .fail(expected, observed, "missing: \(Set(contains).subtracting(records).sorted().joined(separator: ", "))")
            }
            if records.isEmpty { return .fail(expected, observed, "no records of type \(spec.type)") }
            return .pass(expected, observed)
        }
    }
}
