import Foundation

/// The `redis` check with `"cluster": true`, as the platform persists workflows
/// (`REDIS_CLUSTER_ENDPOINT`): from the seed node, CLUSTER INFO must say `cluster_state:ok` with all
/// 16384 slots assigned and ok; every master CLUSTER NODES lists is reached (AUTH + PING, over TLS
/// when set); a SET/GET/DEL round trip on a key of the gate's namespace follows MOVED and ASK
/// redirections. A node down, failing, or slots without a healthy master fail the item, naming the
/// node and the slot ranges. Evidence: masters with their slots, replicas, coverage, PING times.
enum RedisClusterCheck {
    static let maxRedirections = 5

    static func check(_ spec: RedisSpec, context: CheckContext, timeoutNanos: Int64) -> CheckOutcome {
        var expectedParts = ["cluster_state:ok", "16384 slots assigned and ok", "every master answers AUTH + PING",
                             "SET/GET/DEL round trip following MOVED/ASK"]
        if spec.tls != nil { expectedParts.insert("TLS handshake verified on every node" + (spec.tls?.insecure == true ? " (insecure: verification off)" : ""), at: 0) }
        if spec.requirePersistenceOK { expectedParts.append("persistence configured and healthy on every master") }
        if let bound = spec.maxLatencyNanos { expectedParts.append("PING within \(DurationText.format(nanos: bound)) on every master") }
        let expected = "Redis Cluster via \(spec.host):\(spec.port): " + expectedParts.joined(separator: ", ")
        let connector: RedisConnector, seed: RESPClient
        switch RedisCheck.connectSeed(spec, context: context, timeoutNanos: timeoutNanos, expected: expected) {
        case let .failure(unusable): return unusable.outcome
        case let .success(connected): (connector, seed) = connected
        }
        var observed: [String] = []
        let infoReply = seed.command(["CLUSTER", "INFO"])
        guard case let .bulk(infoText) = infoReply else {
            return .fail(expected, "CLUSTER INFO: \(infoReply.display)", "CLUSTER INFO failed: \(infoReply.display) (is cluster mode enabled on this node?)")
        }
        let info = RedisPersistence.infoFields(infoText)
        let state = info["cluster_state"] ?? "?", assigned = Int(info["cluster_slots_assigned"] ?? "") ?? 0, slotsOK = Int(info["cluster_slots_ok"] ?? "") ?? 0
        observed.append("cluster_state:\(state), slots assigned \(assigned), ok \(slotsOK), pfail \(info["cluster_slots_pfail"] ?? "?"), fail \(info["cluster_slots_fail"] ?? "?")")
        let nodesReply = seed.command(["CLUSTER", "NODES"])
        guard case let .bulk(nodesText) = nodesReply, let topology = RedisClusterTopology.parse(nodes: nodesText, fallbackHost: spec.host) else {
            return .fail(expected, (observed + ["CLUSTER NODES: \(nodesReply.display)"]).joined(separator: "; "), "CLUSTER NODES failed: \(nodesReply.display)")
        }
        let masters = topology.masters
        observed.append("\(masters.count) masters (" + masters.map { "\($0.address) \($0.slotsText)" }.joined(separator: "; ") + ")")
        observed.append("\(topology.replicas.count) replicas" + (topology.replicas.isEmpty ? "" : " (" + topology.replicas.map { replica in
            "\(replica.address) of \(masters.first { $0.id == replica.masterID }?.address ?? replica.masterID ?? "?")" + (replica.isFailing ? " failing" : "")
        }.joined(separator: "; ") + ")"))

        // Reach every master, on its own connection (over TLS when set), whatever the seed thinks of it.
        var problems: [String] = []
        var unhealthy: Set<String> = []
        var clients: [String: RESPClient] = [:]
        var pings: [String] = []
        var slowest: (address: String, nanos: Int64)?
        for master in masters {
            if master.isFailing {
                problems.append("master \(master.address) (slots \(master.slotsText)) is marked \(master.flags.contains("fail") ? "fail" : "fail?") by the cluster")
                unhealthy.insert(master.id)
            }
            let client: RESPClient
            switch connector.connect(host: master.host, port: master.port) {
            case let .failure(failure):
                if failure.isConfiguration { return .error(expected, failure.observed, failure.message) }
                problems.append("master \(master.address) (slots \(master.slotsText)) is unreachable: \(failure.observed)")
                unhealthy.insert(master.id)
                continue
            case let .success(connected): client = connected
            }
            clients[master.address] = client
            let started = MonotonicClock.nowNanos()
            let pong = client.command(["PING"])
            let nanos = MonotonicClock.nowNanos() - started
            guard pong == .simple("PONG") else {
                problems.append("master \(master.address) answered PING with \(pong.display)")
                unhealthy.insert(master.id)
                continue
            }
            pings.append("\(master.address) \(DurationText.format(nanos: nanos))")
            if slowest == nil || nanos > slowest!.nanos { slowest = (master.address, nanos) }
        }
        if !pings.isEmpty { observed.append("AUTH + PING ok on " + pings.joined(separator: ", ")) }
        let uncovered = topology.uncoveredSlots(unhealthy: unhealthy)
        observed.append(uncovered.isEmpty ? "all 16384 slots served by a reachable master"
                                          : "slots without a healthy master: \(RedisClusterTopology.rangesText(uncovered)) (\(RedisClusterTopology.slotTotal(uncovered)) slots)")
        if !uncovered.isEmpty { problems.append("slots \(RedisClusterTopology.rangesText(uncovered)) have no healthy master") }
        if state != "ok" { problems.append("cluster_state is \(state)") }
        if assigned != RedisClusterTopology.slotCount || slotsOK != RedisClusterTopology.slotCount {
            problems.append("\(assigned) of 16384 slots assigned, \(slotsOK) ok")
        }
        if !problems.isEmpty { return .fail(expected, observed.joined(separator: "; "), problems.joined(separator: "; ")) }

        // The round trip from the seed, following MOVED/ASK like a cluster client.
        let key = spec.keyPrefix + UUID().uuidString.lowercased()
        let token = UUID().uuidString
        clients["seed"] = seed
        var router = Router(connector: connector, clients: clients, seed: seed)
        let set = router.send(["SET", key, token, "PX", "60000"])
        let get = router.send(["GET", key])
        let del = router.send(["DEL", key])
        observed.append("key slot \(RedisClusterTopology.slot(ofKey: key)): SET \(set.reply.display) via \(set.route), GET \(get.reply == .bulk(token) ? "same value" : get.reply.display), DEL \(del.reply.display)")
        guard set.reply == .simple("OK"), get.reply == .bulk(token), del.reply == .integer(1) else {
            return .fail(expected, observed.joined(separator: "; "), "the round trip on \(key) failed")
        }
        if spec.requirePersistenceOK {
            for master in masters {
                guard let client = clients[master.address] else { continue }
                let verdict = RedisPersistence.check(client)
                observed.append("\(master.address): \(verdict.observed)")
                if !verdict.passed { return .fail(expected, observed.joined(separator: "; "), "master \(master.address): \(verdict.message)") }
            }
        }
        if let bound = spec.maxLatencyNanos, let slowest, slowest.nanos > bound {
            return .fail(expected, observed.joined(separator: "; "), "PING on \(slowest.address) took \(DurationText.format(nanos: slowest.nanos))")
        }
        return .pass(expected, observed.joined(separator: "; "))
    }

    /// Sends commands the way a cluster client does: to the seed first, then where MOVED or ASK
    /// points (ASK with ASKING first), reusing one authenticated connection per node.
    struct Router {
        var connector: RedisConnector
        var clients: [String: RESPClient]
        var seed: RESPClient

        mutating func send(_ command: [String]) -> (reply: RESPClient.Reply, route: String) {
            var client = seed
            var route = "seed"
            var asking = false
            for _ in 0...RedisClusterCheck.maxRedirections {
                if asking { _ = client.command(["ASKING"]) }
                let reply = client.command(command)
                guard case let .error(text) = reply else { return (reply, route) }
                let parts = text.split(separator: " ")
                guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK",
                      let (host, port) = splitHostPort(String(parts[2])) else { return (reply, route) }
                asking = parts[0] == "ASK"
                let address = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
                route += " -> \(parts[0]) \(address)"
                if let known = clients[address] {
                    client = known
                } else {
                    switch connector.connect(host: host, port: port) {
                    case let .failure(failure): return (.broken("redirected to \(address), which is unreachable: \(failure.observed)"), route)
                    case let .success(connected): clients[address] = connected; client = connected
                    }
                }
            }
            return (.broken("more than \(RedisClusterCheck.maxRedirections) redirections"), route)
        }
    }
}
