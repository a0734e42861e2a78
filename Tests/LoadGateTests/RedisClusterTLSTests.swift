import Foundation
import Testing
@testable import LoadGate

/// A three-master Redis Cluster on loopback, TLS only (client certificates required) with a
/// password, as the platform runs it: three `scripts/peers/redis --tls --cluster` nodes joined by
/// `scripts/peers/redis-cluster-create` (redis-cli --cluster create). Client and bus ports are
/// chosen by the OS (bind 0) and the bus port is set with Redis 7's `cluster-port`, so neither is
/// derived as port+10000 (which could fall in the ephemeral range or beyond 65535).
final class RedisClusterPeers: @unchecked Sendable {
    static let password = "cl-Pa55\"\\<&'-" + String(UUID().uuidString.prefix(8))
    let scratch: ScratchDirectory
    let certs: String
    var nodes: [PeerProcess] = []

    /// - Parameter certs: a make-certs directory to share (made in the scratch folder when nil).
    init(masters: Int = 3, scratch shared: ScratchDirectory? = nil, certs sharedCerts: String? = nil) throws {
        scratch = try shared ?? ScratchDirectory()
        certs = sharedCerts ?? scratch.path("certs")
        try Self.makeCerts(certs)
        for index in 0..<masters {
            let port = try PeerProcess.freePort(), bus = try PeerProcess.freePort()
            nodes.append(try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/redis").path,
                                         [scratch.path("cluster-node\(index)-\(port)"), String(port), "--tls", certs, "--cluster", String(bus)],
                                         port: port, environment: ["REDIS_PASSWORD": Self.password]))
        }
        let create = Process()
        create.executableURL = URL(fileURLWithPath: PeerProcess.packageRoot.appendingPathComponent("scripts/peers/redis-cluster-create").path)
        create.arguments = ["--tls", certs] + nodes.map { "127.0.0.1:\($0.port)" }
        var environment = ProcessInfo.processInfo.environment
        environment["REDISCLI_AUTH"] = Self.password
        create.environment = environment
        create.standardOutput = FileHandle.nullDevice
        create.standardError = FileHandle.nullDevice
        try create.run()
        create.waitUntilExit()
        guard create.terminationStatus == 0 else { throw PeerProcess.PeerError.exited(create.terminationStatus) }
    }

    static func makeCerts(_ directory: String) throws {
        let make = Process()
        make.executableURL = URL(fileURLWithPath: PeerProcess.packageRoot.appendingPathComponent("scripts/peers/make-certs").path)
        make.arguments = [directory]
        try make.run()
        make.waitUntilExit()
    }

    var seedPort: Int { nodes[0].port }
    var environment: [String: String] { ["LG_REDIS_PASSWORD": Self.password, "LG_CERTS": certs] }

    /// A cluster item against the seed node, with `overrides` replacing or adding parameters.
    func item(_ id: String, _ overrides: [String: String] = [:], port: Int? = nil, timeout: String = "10s") -> String {
        var params: [String: String] = [
            "host": "\"127.0.0.1\"", "port": String(port ?? seedPort), "passwordEnv": "\"LG_REDIS_PASSWORD\"", "tls": "true", "cluster": "true",
            "caFile": "\"${env.LG_CERTS}/ca.crt\"", "clientCert": "\"${env.LG_CERTS}/client.crt\"", "clientKey": "\"${env.LG_CERTS}/client.key\"",
        ]
        for (key, value) in overrides { params[key] = value.isEmpty ? nil : value }
        let body = params.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return "{\"id\": \"\(id)\", \"kind\": \"redis\", \"params\": {\(body)}, \"timeout\": \"\(timeout)\"}"
    }

    /// redis-cli against node `index` over TLS (password from the environment, never argv): its stdout.
    func cli(_ index: Int, _ arguments: [String]) -> String {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["--tls", "--cacert", certs + "/ca.crt", "--cert", certs + "/client.crt", "--key", certs + "/client.key",
                         "-h", "127.0.0.1", "-p", String(nodes[index].port)] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REDISCLI_AUTH"] = Self.password
        cli.environment = environment
        let out = Pipe()
        cli.standardOutput = out
        cli.standardError = FileHandle.nullDevice
        guard (try? cli.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        cli.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// CLUSTER INFO's cluster_state as node `index` sees it.
    func clusterState(askingNode index: Int) -> String {
        cli(index, ["cluster", "info"]).split(whereSeparator: \.isNewline).first { $0.hasPrefix("cluster_state:") }
            .map { String($0.dropFirst("cluster_state:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
    }
}

@Suite("Redis over TLS and in cluster mode, against a loopback Redis Cluster", .serialized)
struct RedisClusterTLSTests {
    static func text(_ item: JSONValue?, _ key: String) -> String { ChecklistIntegrationTests.text(item, key) }

    @Test("a three-master TLS cluster with a password passes, with masters, replicas and coverage as evidence; no secret in any output byte")
    func healthyClusterPasses() throws {
        let peers = try RedisClusterPeers()
        let (run, items, out) = try ChecklistCLI.run(peers.item("cluster", ["maxLatency": "\"1s\""]), in: peers.scratch,
                                                     environment: peers.environment)
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let observed = Self.text(items["cluster"], "observed")
        #expect(items["cluster"]?["status"] == .string("passed"), "\(observed) \(Self.text(items["cluster"], "message"))")
        #expect(observed.contains("cluster_state:ok, slots assigned 16384, ok 16384"))
        #expect(observed.contains("3 masters (127.0.0.1:\(peers.nodes[0].port) 0-5460; "))
        #expect(observed.contains("0 replicas"))
        for node in peers.nodes { #expect(observed.contains("127.0.0.1:\(node.port) "), "every master reached: \(node.port)") }
        #expect(observed.contains("all 16384 slots served by a reachable master"))
        #expect(observed.contains("SET OK via seed"))
        // The same cluster without persistence (the test nodes run with save "" and appendonly no):
        // persistence is checked on every master and the first one without it is named.
        let (unpersisted, unpersistedItems, _) = try ChecklistCLI.run(peers.item("persisted", ["persistence": "true"]), in: peers.scratch,
                                                                      environment: peers.environment)
        #expect(unpersisted.exitCode == 1)
        #expect(Self.text(unpersistedItems["persisted"], "message")
                == "master 127.0.0.1:\(peers.nodes[0].port): persistence is off: no RDB save rules (save \"\") and appendonly no")
        // The password (with JSON- and HTML-special characters) and the client key: in no output byte.
        let key = try String(contentsOfFile: peers.certs + "/client.key", encoding: .utf8)
        let keyLine = key.split(separator: "\n").dropFirst(3).first.map(String.init) ?? key
        let everything = run.stdout + run.stderr + ChecklistIntegrationTests.allFiles(in: out)
        for secret in [RedisClusterPeers.password, keyLine] {
            for form in [secret, JSONWriter.serialize(.string(secret)).dropFirst().dropLast().description,
                         secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret] {
                #expect(!everything.contains(form), "a secret leaked")
            }
        }
    }

    @Test("the round trip follows MOVED to the master that owns the key's slot")
    func roundTripFollowsMoved() throws {
        let peers = try RedisClusterPeers()
        // A hash tag whose slot the seed (0-5460) does not own.
        let tag = (0..<1000).map { "t\($0)" }.first { RedisClusterTopology.slot(ofKey: "{\($0)}") > 5460 }!
        let (run, items, _) = try ChecklistCLI.run(peers.item("moved", ["keyPrefix": "\"loadgate:{\(tag)}:\""]) + ",\n"
                                                   + peers.item("not-as-cluster", ["keyPrefix": "\"loadgate:{\(tag)}:\"", "cluster": ""]), in: peers.scratch,
                                                   environment: peers.environment)
        #expect(run.exitCode == 1, "\(run.stdout)")
        #expect(items["moved"]?["status"] == .string("passed"))
        #expect(Self.text(items["not-as-cluster"], "message").hasSuffix("failed: this is a cluster node (set \"cluster\": true)"),
                "a cluster checked as a single node says why its round trip fails")
        let observed = Self.text(items["moved"], "observed")
        #expect(observed.contains("key slot \(RedisClusterTopology.slot(ofKey: "{\(tag)}")): SET OK via seed -> MOVED 127.0.0.1:"), "\(observed)")
        #expect(observed.contains("GET same value, DEL 1"))
    }

    @Test("during a slot migration the round trip follows MOVED then ASK (with ASKING) to the importing master")
    func roundTripFollowsAsk() throws {
        let peers = try RedisClusterPeers()
        // A tag in node 1's range (5461-10922), whose slot is then migrated from node 1 to node 2.
        let tag = (0..<1000).map { "m\($0)" }.first { (5461...10922).contains(RedisClusterTopology.slot(ofKey: "{\($0)}")) }!
        let slot = String(RedisClusterTopology.slot(ofKey: "{\(tag)}"))
        let source = peers.cli(1, ["cluster", "myid"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let target = peers.cli(2, ["cluster", "myid"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(peers.cli(2, ["cluster", "setslot", slot, "importing", source]).hasPrefix("OK"))
        #expect(peers.cli(1, ["cluster", "setslot", slot, "migrating", target]).hasPrefix("OK"))
        let (run, items, _) = try ChecklistCLI.run(peers.item("ask", ["keyPrefix": "\"loadgate:{\(tag)}:\""]), in: peers.scratch,
                                                   environment: peers.environment)
        #expect(run.exitCode == 0, "\(run.stdout)")
        let observed = Self.text(items["ask"], "observed")
        #expect(observed.contains("SET OK via seed -> MOVED 127.0.0.1:\(peers.nodes[1].port) -> ASK 127.0.0.1:\(peers.nodes[2].port)"), "\(observed)")
        #expect(observed.contains("GET same value, DEL 1"))
    }

    @Test("one master stopped: the item fails naming it and its slots, and still does once the cluster marks it failed")
    func masterDown() throws {
        let peers = try RedisClusterPeers()
        let stopped = peers.nodes[1]
        stopped.stop()
        let (first, items, _) = try ChecklistCLI.run(peers.item("cluster", timeout: "5s"), in: peers.scratch, environment: peers.environment)
        #expect(first.exitCode == 1)
        let message = Self.text(items["cluster"], "message")
        #expect(message.contains("master 127.0.0.1:\(stopped.port) (slots 5461-10922) is unreachable: connection refused"), "\(message)")
        #expect(message.contains("slots 5461-10922 have no healthy master"), "\(message)")

        // Wait (bounded) for the cluster to notice (node timeout 1s), then the cluster's own view is reported too.
        let deadline = Date().addingTimeInterval(15)
        while peers.clusterState(askingNode: 0) != "fail", Date() < deadline { usleep(200_000) }
        #expect(peers.clusterState(askingNode: 0) == "fail", "the cluster never noticed")
        let (later, laterItems, _) = try ChecklistCLI.run(peers.item("cluster", timeout: "5s"), in: peers.scratch, environment: peers.environment)
        #expect(later.exitCode == 1)
        let laterMessage = Self.text(laterItems["cluster"], "message")
        #expect(laterMessage.contains("master 127.0.0.1:\(stopped.port) (slots 5461-10922) is marked fail by the cluster"), "\(laterMessage)")
        #expect(laterMessage.contains("slots 5461-10922 have no healthy master"))
        #expect(laterMessage.contains("cluster_state is fail"))
        #expect(Self.text(laterItems["cluster"], "observed").contains("cluster_state:fail"))
    }

    @Test("plaintext at the TLS port, TLS at a plaintext port, a wrong CA, no client certificate, a foreign one: each fails with its own message, within the timeout")
    func tlsFailuresAreTold() throws {
        let peers = try RedisClusterPeers()
        let plainPort = try PeerProcess.freePort()
        let plain = try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/redis").path,
                                    [peers.scratch.path("plain"), String(plainPort)], port: plainPort,
                                    environment: ["REDIS_PASSWORD": RedisClusterPeers.password])
        defer { plain.stop() }
        let started = Date()
        let (run, items, _) = try ChecklistCLI.run([
            peers.item("plaintext-at-tls-port", ["tls": "", "caFile": "", "clientCert": "", "clientKey": ""], timeout: "3s"),
            peers.item("tls-at-plaintext-port", ["cluster": ""], port: plainPort, timeout: "2s"),
            peers.item("wrong-ca", ["caFile": "\"${env.LG_CERTS}/foreign-ca.crt\""], timeout: "3s"),
            peers.item("no-client-cert", ["clientCert": "", "clientKey": ""], timeout: "3s"),
            peers.item("foreign-client-cert", ["clientCert": "\"${env.LG_CERTS}/foreign-client.crt\"", "clientKey": "\"${env.LG_CERTS}/foreign-client.key\""], timeout: "3s"),
            peers.item("unusable-client-key", ["clientKey": "\"${env.LG_CERTS}/foreign-client.key\""], timeout: "3s"),
            peers.item("wrong-ca-insecure-explicit", ["caFile": "\"${env.LG_CERTS}/foreign-ca.crt\"", "insecure": "true"], timeout: "3s"),
        ].joined(separator: ",\n"), in: peers.scratch, environment: peers.environment)
        #expect(Date().timeIntervalSince(started) < 8, "every item ends within its timeout")
        #expect(run.exitCode == 1)
        let port = peers.seedPort
        #expect(Self.text(items["plaintext-at-tls-port"], "message")
                == "127.0.0.1:\(port) closed the connection without answering a plaintext PING: the port may expect TLS (set \"tls\": true)")
        #expect(Self.text(items["tls-at-plaintext-port"], "message")
                .hasPrefix("cannot reach Redis at 127.0.0.1:\(plainPort): no TLS handshake within 2s: the port may not speak TLS"))
        #expect(Self.text(items["wrong-ca"], "message")
                .hasPrefix("cannot reach Redis at 127.0.0.1:\(port): the server certificate is not trusted by the configured CA"))
        #expect(Self.text(items["no-client-cert"], "message")
                .hasPrefix("127.0.0.1:\(port): the server requires a client certificate and none was presented"))
        #expect(Self.text(items["foreign-client-cert"], "message").hasPrefix("127.0.0.1:\(port): the server refused the client certificate"))
        #expect(items["unusable-client-key"]?["status"] == .string("error"), "a key that does not match the certificate is the item's own fault")
        #expect(Self.text(items["unusable-client-key"], "message").contains("the item's TLS files cannot be used"))
        #expect(items["wrong-ca-insecure-explicit"]?["status"] == .string("passed"), "verification is off only when asked, and then said")
        #expect(Self.text(items["wrong-ca-insecure-explicit"], "expected").contains("(insecure: verification off)"))
        for id in ["plaintext-at-tls-port", "tls-at-plaintext-port", "wrong-ca", "no-client-cert", "foreign-client-cert"] {
            #expect(items[id]?["status"] == .string("failed"), "\(id)")
        }
    }

    @Test("TLS parameters without \"tls\": true, and role with a cluster, are refused with located errors (exit 2)")
    func invalidParameters() throws {
        let scratch = try ScratchDirectory()
        let (run, _, _) = try ChecklistCLI.run("""
        {"id": "a", "kind": "redis", "params": {"host": "127.0.0.1", "port": 6379, "caFile": "/etc/hostname"}},
        {"id": "b", "kind": "redis", "params": {"host": "127.0.0.1", "port": 6379, "cluster": true, "role": "master"}}
        """, in: scratch)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("sections.tests[0].params.caFile: applies to TLS connections: add \"tls\": true"), "\(run.stderr)")
        #expect(run.stderr.contains("sections.tests[1].params.role: does not apply to a cluster"))
    }
}

@Suite("Redis persistence against real redis-server", .serialized)
struct RedisPersistenceTests {
    static func redis(_ scratch: ScratchDirectory, _ persistence: String) throws -> PeerProcess {
        let port = try PeerProcess.freePort()
        return try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/redis").path,
                               [scratch.path("redis-\(persistence)"), String(port), "--persistence", persistence], port: port)
    }

    @Test("cluster: true against a standalone Redis fails saying cluster support is disabled")
    func clusterAgainstStandalone() throws {
        let scratch = try ScratchDirectory()
        let standalone = try Self.redis(scratch, "none")
        defer { standalone.stop() }
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "c", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(standalone.port), "cluster": true}}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(ChecklistIntegrationTests.text(items["c"], "message")
                == "CLUSTER INFO failed: -ERR This instance has cluster support disabled (is cluster mode enabled on this node?)")
    }

    @Test("persistence passes with RDB save rules or AOF, and fails on a Redis with save \"\" and appendonly no")
    func persistenceConfigured() throws {
        let scratch = try ScratchDirectory()
        let none = try Self.redis(scratch, "none"), rdb = try Self.redis(scratch, "rdb"), aof = try Self.redis(scratch, "aof")
        defer { none.stop(); rdb.stop(); aof.stop() }
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "none", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(none.port), "persistence": true}},
        {"id": "rdb", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(rdb.port), "persistence": true}},
        {"id": "aof", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(aof.port), "persistence": true}}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(items["none"]?["status"] == .string("failed"))
        #expect(ChecklistIntegrationTests.text(items["none"], "message") == "persistence is off: no RDB save rules (save \"\") and appendonly no")
        #expect(items["rdb"]?["status"] == .string("passed"), "\(ChecklistIntegrationTests.text(items["rdb"], "message"))")
        #expect(ChecklistIntegrationTests.text(items["rdb"], "observed").contains("RDB save rules \"3600 1 300 100\", last RDB save ok, AOF off"))
        #expect(items["aof"]?["status"] == .string("passed"), "\(ChecklistIntegrationTests.text(items["aof"], "message"))")
        #expect(ChecklistIntegrationTests.text(items["aof"], "observed").contains("AOF on, last write ok, last rewrite ok"))
    }
}

@Suite("Redis Cluster topology and key slots")
struct RedisClusterTopologyTests {
    @Test("key slots follow Redis' CRC16 with hash tags")
    func slots() {
        #expect(RedisClusterTopology.slot(ofKey: "123456789") == 0x31C3 % 16384)
        #expect(RedisClusterTopology.slot(ofKey: "foo") == 12182)
        #expect(RedisClusterTopology.slot(ofKey: "{user1000}.following") == RedisClusterTopology.slot(ofKey: "user1000"))
        #expect(RedisClusterTopology.slot(ofKey: "a{}b") == RedisClusterTopology.slot(ofKey: "a{}b"), "an empty tag hashes the whole key")
    }

    @Test("CLUSTER NODES parses masters, replicas and failures; uncovered slots are ranges")
    func parse() throws {
        let text = """
        e83e 127.0.0.1:21002@22002 master,fail - 0 1795 2 disconnected 5461-10922
        8842 127.0.0.1:21003@22003,redis-3 master - 0 1795 3 connected 10923-16383
        fc16 127.0.0.1:21001@22001 myself,master - 0 0 1 connected 0-5460 [93->-e83e]
        aaaa 127.0.0.1:21004@22004 slave fc16 0 1795 1 connected
        """
        let topology = try #require(RedisClusterTopology.parse(nodes: text, fallbackHost: "127.0.0.1"))
        #expect(topology.masters.map(\.port) == [21001, 21002, 21003])
        #expect(topology.replicas.map(\.masterID) == ["fc16"])
        #expect(topology.masters[1].isFailing)
        #expect(topology.uncoveredSlots(unhealthy: []) == [])
        #expect(topology.uncoveredSlots(unhealthy: ["e83e"]) == [5461...10922])
        let partial = try #require(RedisClusterTopology.parse(nodes: "x 127.0.0.1:1@2 myself,master - 0 0 1 connected 0-99 200", fallbackHost: "h"))
        #expect(RedisClusterTopology.rangesText(partial.uncoveredSlots(unhealthy: [])) == "100-199,201-16383")
        // A node without an address gets the seed's host; a hostile reply is unreadable, never a crash.
        #expect(RedisClusterTopology.parse(nodes: "x :7000@17000 myself,master - 0 0 1 connected 0-16383", fallbackHost: "h")?.masters.first?.host == "h")
        #expect(RedisClusterTopology.parse(nodes: "x @ myself,master - 0 0 1 connected 0-16383", fallbackHost: "h") == nil)
        #expect(RedisClusterTopology.parse(nodes: "x 127.0.0.1:99999@1 myself,master - 0 0 1 connected 0-16383", fallbackHost: "h") == nil)
    }

    @Test("persistence rule: configured and healthy, not merely nothing failed")
    func persistenceRule() {
        let ok = ["rdb_last_bgsave_status": "ok", "aof_enabled": "0", "aof_last_write_status": "ok", "aof_last_bgrewrite_status": "ok"]
        #expect(!RedisPersistence.judge(fields: ok, saveRules: "").passed)
        #expect(RedisPersistence.judge(fields: ok, saveRules: "3600 1").passed)
        #expect(!RedisPersistence.judge(fields: ok, saveRules: nil, saveUnknownBecause: "-ERR unknown command").passed)
        var aof = ok
        aof["aof_enabled"] = "1"
        #expect(RedisPersistence.judge(fields: aof, saveRules: nil).passed)
        aof["aof_last_write_status"] = "err"
        #expect(RedisPersistence.judge(fields: aof, saveRules: "").message == "the append-only file is failing (last write err, last rewrite ok)")
        var failedSave = ok
        failedSave["rdb_last_bgsave_status"] = "err"
        #expect(!RedisPersistence.judge(fields: failedSave, saveRules: "3600 1").passed)
    }
}

/// A loopback listener that answers every connection with fixed bytes (optionally for ever): a
/// port that is not Redis, or a hostile one.
final class ScriptedListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init(payload: [UInt8], repeatForever: Bool = false) throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafePointer(to: &address, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, length) } }) == 0 else {
            throw POSIXError(.EADDRINUSE)
        }
        listen(listening, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        fd = listening
        Thread.detachNewThread {
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread {
                    defer { close(client) }
                    repeat {
                        if payload.withUnsafeBytes({ send(client, $0.baseAddress, payload.count, Int32(MSG_NOSIGNAL)) }) <= 0 { return }
                    } while repeatForever
                    usleep(3_000_000)
                }
            }
        }
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

@Suite("Redis items against peers that are not Redis")
struct RedisHostilePeerTests {
    @Test("an HTTP server, endless bytes without a line end, and arrays nested 100000 deep each fail within the timeout, without a crash")
    func notRedis() throws {
        let scratch = try ScratchDirectory()
        let http = try ScriptedListener(payload: Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8))
        let endless = try ScriptedListener(payload: [UInt8](repeating: UInt8(ascii: "A"), count: 64 * 1024), repeatForever: true)
        let nested = try ScriptedListener(payload: Array(String(repeating: "*1\r\n", count: 100_000).utf8))
        let started = Date()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "http", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(http.port)}, "timeout": "2s"},
        {"id": "endless", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(endless.port)}, "timeout": "2s"},
        {"id": "nested", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(nested.port), "cluster": true}, "timeout": "2s"}
        """, in: scratch)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(run.exitCode == 1, "\(run.stdout)\(run.stderr)")
        #expect(ChecklistIntegrationTests.text(items["http"], "message").contains("unexpected reply \"HTTP/1.1 400 Bad Request\": not a Redis server?"))
        #expect(ChecklistIntegrationTests.text(items["endless"], "message").contains("a reply line longer than 65536 bytes"))
        #expect(ChecklistIntegrationTests.text(items["nested"], "message").contains("arrays nested deeper than 8"))
    }
}
