/// A Redis Cluster as `CLUSTER NODES` and `CLUSTER INFO` describe it: masters with their slot
/// ranges, replicas, failure flags, and which of the 16384 slots no healthy master serves.
struct RedisClusterTopology: Equatable {
    static let slotCount = 16384

    struct Node: Equatable {
        var id: String
        var host: String
        var port: Int
        var flags: Set<String>
        /// The master's id, for a replica.
        var masterID: String?
        var slots: [ClosedRange<Int>]
        var linkConnected: Bool

        var isMaster: Bool { flags.contains("master") }
        var isReplica: Bool { flags.contains("slave") || flags.contains("replica") }
        /// Marked failing by the cluster (`fail`) or suspected by the node asked (`fail?`).
        var isFailing: Bool { flags.contains("fail") || flags.contains("fail?") }
        var address: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }
        var slotsText: String { RedisClusterTopology.rangesText(slots) }
    }

    var nodes: [Node]

    var masters: [Node] { nodes.filter(\.isMaster).sorted { ($0.slots.first?.lowerBound ?? Int.max, $0.address) < ($1.slots.first?.lowerBound ?? Int.max, $1.address) } }
    var replicas: [Node] { nodes.filter(\.isReplica) }

    /// Parses CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch>
    /// <link> <slot>...`. A node announced without an address (`:0`) gets `fallbackHost`'s host.
    static func parse(nodes text: String, fallbackHost: String) -> RedisClusterTopology? {
        var nodes: [Node] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8 else { return nil }
            // A peer's reply: a field without an endpoint or a port outside 0...65535 makes the
            // reply unreadable, never a crash (port 0 is what Redis shows for a node without one).
            guard let endpoint = fields[1].split(separator: "@", maxSplits: 1).first,
                  let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]),
                  (0...65535).contains(port) else { return nil }
            var host = String(endpoint[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = fallbackHost }
            var slots: [ClosedRange<Int>] = []
            for slot in fields.dropFirst(8) where !slot.hasPrefix("[") {  // "[slot->-id]" marks migrations
                let bounds = slot.split(separator: "-").compactMap { Int($0) }
                if bounds.count == 1, (0..<slotCount).contains(bounds[0]) { slots.append(bounds[0]...bounds[0]) }
                if bounds.count == 2, bounds[0] <= bounds[1], bounds[0] >= 0, bounds[1] < slotCount { slots.append(bounds[0]...bounds[1]) }
            }
            nodes.append(Node(id: String(fields[0]), host: host, port: port, flags: Set(fields[2].split(separator: ",").map(String.init)),
                              masterID: fields[3] == "-" ? nil : String(fields[3]), slots: slots, linkConnected: fields[7] == "connected"))
        }
        return nodes.isEmpty ? nil : RedisClusterTopology(nodes: nodes)
    }

    /// Slots that no master serves, or whose master is in `unhealthy` (by id): as ranges.
    func uncoveredSlots(unhealthy: Set<String>) -> [ClosedRange<Int>] {
        var covered = [Bool](repeating: false, count: Self.slotCount)
        for master in masters where !unhealthy.contains(master.id) {
            for range in master.slots { for slot in range { covered[slot] = true } }
        }
        var ranges: [ClosedRange<Int>] = []
        var start: Int?
        for slot in 0...Self.slotCount {
            let isCovered = slot == Self.slotCount || covered[slot]
            if !isCovered, start == nil { start = slot }
            if isCovered, let first = start { ranges.append(first...(slot - 1)); start = nil }
        }
        return ranges
    }

    static func rangesText(_ ranges: [ClosedRange<Int>]) -> String {
        ranges.isEmpty ? "no slots" : ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }

    static func slotTotal(_ ranges: [ClosedRange<Int>]) -> Int { ranges.reduce(0) { $0 + $1.count } }

    /// The slot of a key (CRC16/XMODEM of the key, or of its first non-empty `{hash tag}`, mod 16384).
    static func slot(ofKey key: String) -> Int {
        var bytes = Array(key.utf8)
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
           let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 {
            bytes = Array(bytes[(open + 1)..<close])
        }
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return Int(crc) % slotCount
    }
}
