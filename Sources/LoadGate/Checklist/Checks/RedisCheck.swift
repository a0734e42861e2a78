import Foundation

/// The `redis` check on one node: AUTH, PING, a SET/GET/DEL round trip on a key of the gate's
/// namespace, the role and persistence when asked, plaintext or TLS. `"cluster": true` hands over
/// to `RedisClusterCheck`. The item's timeout bounds the whole check.
enum RedisCheck {
    static func check(_ spec: RedisSpec, context: CheckContext, timeoutNanos: Int64) -> CheckOutcome {
        if spec.cluster { return RedisClusterCheck.check(spec, context: context, timeoutNanos: timeoutNanos) }
        var expectedParts = ["PING -> PONG", "SET/GET/DEL round trip"]
        if spec.tls != nil { expectedParts.insert("TLS handshake verified" + (spec.tls?.insecure == true ? " (insecure: verification off)" : ""), at: 0) }
        if spec.passwordEnv != nil { expectedParts.insert("AUTH accepted", at: spec.tls == nil ? 0 : 1) }
        if let role = spec.role { expectedParts.append("role \(role)") }
        if spec.requirePersistenceOK { expectedParts.append("persistence configured (RDB save rules or AOF) and healthy") }
        if let bound = spec.maxLatencyNanos { expectedParts.append("PING within \(DurationText.format(nanos: bound))") }
        let expected = "\(spec.host):\(spec.port): " + expectedParts.joined(separator: ", ")
        let client: RESPClient
        switch Self.connectSeed(spec, context: context, timeoutNanos: timeoutNanos, expected: expected) {
        case let .failure(unusable): return unusable.outcome
        case let .success(connected): client = connected.client
        }
        var observed: [String] = []
        if spec.tls != nil { observed.append("TLS ok") }
        if spec.passwordEnv != nil { observed.append("AUTH: OK") }
        let started = MonotonicClock.nowNanos()
        let pong = client.command(["PING"])
        let pingNanos = MonotonicClock.nowNanos() - started
        observed.append("PING: \(pong.display) in \(DurationText.format(nanos: pingNanos))")
        guard pong == .simple("PONG") else { return .fail(expected, observed.joined(separator: "; "), "PING answered \(pong.display)") }
        let key = spec.keyPrefix + UUID().uuidString.lowercased()
        let token = UUID().uuidString
        let set = client.command(["SET", key, token, "PX", "60000"])
        let get = client.command(["GET", key])
        let del = client.command(["DEL", key])
        observed.append("SET \(set.display), GET \(get == .bulk(token) ? "same value" : get.display), DEL \(del.display)")
        guard set == .simple("OK"), get == .bulk(token), del == .integer(1) else {
            var message = "the round trip on \(key) failed"
            if case let .error(text) = set, text.hasPrefix("MOVED") || text.hasPrefix("CLUSTERDOWN") { message += ": this is a cluster node (set \"cluster\": true)" }
            return .fail(expected, observed.joined(separator: "; "), message)
        }
        if let role = spec.role {
            guard case let .bulk(info) = client.command(["INFO", "replication"]) else { return .fail(expected, observed.joined(separator: "; "), "INFO failed") }
            let actual = RedisPersistence.infoFields(info)["role"]
            observed.append("role \(actual ?? "?")")
            guard actual == role else { return .fail(expected, observed.joined(separator: "; "), "role is \(actual ?? "unknown"), expected \(role)") }
        }
        if spec.requirePersistenceOK {
            let verdict = RedisPersistence.check(client)
            observed.append(verdict.observed)
            guard verdict.passed else { return .fail(expected, observed.joined(separator: "; "), verdict.message) }
        }
        if let bound = spec.maxLatencyNanos, pingNanos > bound {
            return .fail(expected, observed.joined(separator: "; "), "PING took \(DurationText.format(nanos: pingNanos))")
        }
        return .pass(expected, observed.joined(separator: "; "))
    }

    /// The connection settings of an item, with its password read from the environment.
    struct Unusable: Error { var outcome: CheckOutcome }

    /// Connects to `spec.host:spec.port` with the spec's TLS and password: the connector (for
    /// further nodes) and the client, or the outcome that ends the check, `expected` filled in.
    static func connectSeed(_ spec: RedisSpec, context: CheckContext, timeoutNanos: Int64,
                            expected: String) -> Result<(connector: RedisConnector, client: RESPClient), Unusable> {
        switch connector(for: spec, context: context, timeoutNanos: timeoutNanos) {
        case let .failure(unusable): return .failure(Unusable(outcome: unusable.outcome.with(expected: expected)))
        case let .success(connector):
            switch connector.connect(host: spec.host, port: spec.port) {
            case let .failure(failure):
                return .failure(Unusable(outcome: failure.isConfiguration ? .error(expected, failure.observed, failure.message)
                                                                          : .fail(expected, failure.observed, failure.message)))
            case let .success(client): return .success((connector, client))
            }
        }
    }

    static func connector(for spec: RedisSpec, context: CheckContext, timeoutNanos: Int64) -> Result<RedisConnector, Unusable> {
        var password: String?
        if let env = spec.passwordEnv {
            guard let value = context.environment[env] else {
                return .failure(Unusable(outcome: .fail("", "\(env) unset", "the password variable \(env) is not set")))
            }
            password = value
        }
        return .success(RedisConnector(tls: spec.tls, serverName: spec.serverName, username: spec.username, password: password,
                                       deadlineNanos: MonotonicClock.nowNanos() + timeoutNanos, budgetNanos: timeoutNanos))
    }
}
