import Foundation
import Testing
@testable import LoadGate

/// Checklist peers on loopback: nginx with TLS 1.3 + mTLS from a CA made with openssl, redis-server
/// with a password, dnsmasq with the test zone, and (for checklists/local.json) a three-master Redis
/// Cluster over TLS with its own password.
final class ChecklistPeers: @unchecked Sendable {
    static let redisPassword = "r3d1s-Pa55-" + String(UUID().uuidString.prefix(8))
    static let apiToken = "tok-" + UUID().uuidString.lowercased()
    let scratch: ScratchDirectory
    let certs: String
    var tls: PeerProcess
    var redis: PeerProcess
    let dns: PeerProcess
    let redisPort: Int
    let redisCluster: RedisClusterPeers?

    init(tlsFlags: [String] = [], redisCluster withCluster: Bool = true) throws {
        scratch = try ScratchDirectory()
        certs = scratch.path("certs")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: PeerProcess.packageRoot.appendingPathComponent("scripts/peers/make-certs").path)
        make.arguments = [certs]
        try make.run()
        make.waitUntilExit()
        tls = try Self.startTLS(scratch: scratch, certs: certs, flags: tlsFlags)
        redisPort = try PeerProcess.freePort()
        redis = try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/redis").path, [scratch.path("redis"), String(redisPort)],
                                port: redisPort, environment: ["REDIS_PASSWORD": Self.redisPassword])
        let dnsPort = try PeerProcess.freePort()
        dns = try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/dnsmasq").path, [String(dnsPort)], port: dnsPort)
        redisCluster = withCluster ? try RedisClusterPeers(scratch: scratch, certs: certs) : nil
    }

    static func startTLS(scratch: ScratchDirectory, certs: String, flags: [String]) throws -> PeerProcess {
        let port = try PeerProcess.freePort()
        return try PeerProcess(PeerProcess.packageRoot.appendingPathComponent("scripts/peers/nginx-tls").path,
                               [scratch.path("nginx-\(port)"), String(port), certs] + flags, port: port)
    }

    var environment: [String: String] {
        ["LG_TLS_PORT": String(tls.port), "LG_DNS_PORT": String(dns.port), "LG_REDIS_PORT": String(redisPort), "LG_CERTS": certs,
         "LG_API_TOKEN": Self.apiToken, "LG_REDIS_PASSWORD": Self.redisPassword,
         "LG_REDIS_CLUSTER_PORT": String(redisCluster?.seedPort ?? 0), "LG_REDIS_CLUSTER_PASSWORD": RedisClusterPeers.password]
    }
}

@Suite("loadgate check against loopback peers", .serialized)
struct ChecklistIntegrationTests {
    static let attestation = """
    [{"id": "kms-encryption", "by": "jane.doe@example.com", "at": "2026-01-05T10:00:00Z", "evidence": "KMS provider v2 on openai-key", "expires": "2099-01-01"}]
    """

    static func items(_ directory: String) throws -> [String: JSONValue] {
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/checklist.json"))))
        guard case let .array(items)? = report["items"] else { return [:] }
        var byID: [String: JSONValue] = [:]
        for item in items { if case let .string(id)? = item["id"] { byID[id] = item } }
        return byID
    }

    static func allFiles(in directory: String) -> String {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var text = ""
        while let name = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { text += String(decoding: data, as: UTF8.self) }
        }
        return text
    }

    @Test("checklists/local.json passes end to end (exit 0); breaking one peer gives exit 1; no secret leaks anywhere")
    func localChecklist() throws {
        let peers = try ChecklistPeers()
        let attestations = try peers.scratch.write("attestations.json", Self.attestation)
        let local = PeerProcess.packageRoot.appendingPathComponent("checklists/local.json").path
        let out = peers.scratch.path("run1")
        let run = try CLIRun.run(["check", local, "--attestations", attestations, "--out", out], environment: peers.environment)
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("passed 12, failed 0, error 0, skipped 0, waived 0"))
        let items = try Self.items(out)
        #expect(items["mtls"]?["status"] == .string("passed"))
        #expect(items["redis"]?["status"] == .string("passed"))
        #expect(items["redis-cluster"]?["status"] == .string("passed"), "\(Self.text(items["redis-cluster"], "message"))")
        #expect(items["api-token"]?["observed"].map { if case let .string(text) = $0 { return text.contains("sha256:") } else { return false } } == true)
        // Nothing secret anywhere: stdout, stderr, every file of the run folder.
        for secret in [ChecklistPeers.redisPassword, ChecklistPeers.apiToken, RedisClusterPeers.password] {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
            #expect(!Self.allFiles(in: out).contains(secret))
        }

        peers.redis.stop()
        let broken = try CLIRun.run(["check", local, "--attestations", attestations, "--out", peers.scratch.path("run2")], environment: peers.environment)
        #expect(broken.exitCode == 1)
        #expect(try Self.items(peers.scratch.path("run2"))["redis"]?["status"] == .string("failed"))
    }

    static func runItems(_ peers: ChecklistPeers, _ items: String, environment extra: [String: String] = [:], attestations: String? = nil) throws -> (CLIRun, [String: JSONValue]) {
        let file = try peers.scratch.write("c-\(UUID().uuidString).json", "{\"name\": \"t\", \"sections\": {\"tests\": [\(items)]}}")
        let out = peers.scratch.path("out-\(UUID().uuidString)")
        var env = peers.environment
        for (key, value) in extra { env[key] = value }
        var arguments = ["check", file, "--out", out]
        if let attestations { arguments += ["--attestations", try peers.scratch.write("a-\(UUID().uuidString).json", attestations)] }
        let run = try CLIRun.run(arguments, environment: env)
        return (run, try Self.items(out))
    }

    static func text(_ item: JSONValue?, _ key: String) -> String {
        if case let .string(text)? = item?[key] { return text }
        return ""
    }

    static let mtlsItem = """
    {"id": "mtls", "kind": "tls", "params": {"host": "127.0.0.1", "port": "${env.LG_TLS_PORT}", "serverName": "mcp.loadgate.test",
      "caFile": "${env.LG_CERTS}/ca.crt", "minVersion": "1.3", "clientAuth": "required",
      "clientCert": "${env.LG_CERTS}/client.crt", "clientKey": "${env.LG_CERTS}/client.key",
      "foreignCert": "${env.LG_CERTS}/foreign-client.crt", "foreignKey": "${env.LG_CERTS}/foreign-client.key"}}
    """

    @Test("the mTLS check fails when the server stops requiring client certificates or allows TLS 1.2")
    func mtlsNegative() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let (good, goodItems) = try Self.runItems(peers, Self.mtlsItem)
        #expect(good.exitCode == 0, "\(good.stdout)")
        #expect(Self.text(goodItems["mtls"], "observed").contains("without a client certificate: refused"))
        #expect(Self.text(goodItems["mtls"], "observed").contains("with a foreign certificate: refused"))

        peers.tls.stop()
        peers.tls = try ChecklistPeers.startTLS(scratch: peers.scratch, certs: peers.certs, flags: ["--optional-client-cert"])
        let (optional, optionalItems) = try Self.runItems(peers, Self.mtlsItem)
        #expect(optional.exitCode == 1)
        #expect(Self.text(optionalItems["mtls"], "message").contains("mTLS is not enforced"))

        peers.tls.stop()
        peers.tls = try ChecklistPeers.startTLS(scratch: peers.scratch, certs: peers.certs, flags: ["--allow-tls12"])
        let (weak, weakItems) = try Self.runItems(peers, Self.mtlsItem)
        #expect(weak.exitCode == 1)
        #expect(Self.text(weakItems["mtls"], "message") == "the server accepts TLS 1.2; it must require TLS 1.3")
    }

    @Test("mTLS: a foreign certificate the client cannot load is an item error, never a refusal; nginx trusting the foreign CA fails the check")
    func mtlsForeignCertificate() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        peers.tls.stop()
        peers.tls = try ChecklistPeers.startTLS(scratch: peers.scratch, certs: peers.certs, flags: ["--trust-foreign-ca"])
        let trusting = Self.mtlsItem
        let unusable = Self.mtlsItem.replacingOccurrences(of: "\"id\": \"mtls\"", with: "\"id\": \"unusable\"")
            .replacingOccurrences(of: "foreign-client.key", with: "client.key")
        let (run, items) = try Self.runItems(peers, trusting + ",\n" + unusable)
        #expect(run.exitCode == 1)
        #expect(items["mtls"]?["status"] == .string("failed"))
        #expect(Self.text(items["mtls"], "message") == "the server answered with a foreign certificate: mTLS is not enforced")
        // The foreign key does not match the foreign certificate: libcurl cannot present it. Today's
        // code counted that as "refused" and passed against this very server.
        #expect(items["unusable"]?["status"] == .string("error"), "\(Self.text(items["unusable"], "message"))")
        #expect(Self.text(items["unusable"], "message").hasPrefix("foreignCert/foreignKey cannot be used by the client"))
        #expect(!Self.text(items["unusable"], "observed").contains("with a foreign certificate: refused"))
    }

    @Test("minDaysValid applies to every certificate served: an intermediate expiring in 3 days fails a 7-day minimum")
    func chainExpiry() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let item = Self.mtlsItem.replacingOccurrences(of: "\"minVersion\": \"1.3\"", with: "\"minVersion\": \"1.3\", \"minDaysValid\": 7")
        let (good, goodItems) = try Self.runItems(peers, item)
        #expect(good.exitCode == 0, "\(good.stdout)")
        #expect(Self.text(goodItems["mtls"], "observed").contains("(29 days)") || Self.text(goodItems["mtls"], "observed").contains("(30 days)"))
        peers.tls.stop()
        peers.tls = try ChecklistPeers.startTLS(scratch: peers.scratch, certs: peers.certs, flags: ["--short-lived-chain"])
        let (short, shortItems) = try Self.runItems(peers, item)
        #expect(short.exitCode == 1)
        #expect(Self.text(shortItems["mtls"], "message") == "chain certificate CN = Short-lived Intermediate expires in 2 days (< 7)", "\(Self.text(shortItems["mtls"], "observed"))")
    }

    @Test("Redis with the right password passes; a wrong one fails with the server's own message")
    func redis() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let item = #"{"id": "r", "kind": "redis", "params": {"host": "127.0.0.1", "port": "${env.LG_REDIS_PORT}", "passwordEnv": "PW", "role": "master"}}"#
        let (good, _) = try Self.runItems(peers, item, environment: ["PW": ChecklistPeers.redisPassword])
        #expect(good.exitCode == 0, "\(good.stdout)")
        let (bad, badItems) = try Self.runItems(peers, item, environment: ["PW": "not-the-password"])
        #expect(bad.exitCode == 1)
        #expect(Self.text(badItems["r"], "message") == "AUTH refused: -WRONGPASS invalid username-password pair or user is disabled.")
        #expect(!bad.stdout.contains("not-the-password"))
    }

    @Test("DNS: expected records pass; NXDOMAIN is its own failure")
    func dns() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let (good, _) = try Self.runItems(peers, """
        {"id": "a", "kind": "dns", "params": {"name": "mcp.loadgate.test", "type": "A", "server": "127.0.0.1:${env.LG_DNS_PORT}", "equals": ["127.0.0.10"]}},
        {"id": "aaaa", "kind": "dns", "params": {"name": "mcp.loadgate.test", "type": "AAAA", "server": "127.0.0.1:${env.LG_DNS_PORT}", "contains": ["::10"]}},
        {"id": "txt", "kind": "dns", "params": {"name": "loadgate.test", "type": "TXT", "server": "127.0.0.1:${env.LG_DNS_PORT}", "equals": ["v=loadgate1"]}}
        """)
        #expect(good.exitCode == 0, "\(good.stdout)")
        let (missing, items) = try Self.runItems(peers, """
        {"id": "nx", "kind": "dns", "params": {"name": "nothing.loadgate.test", "server": "127.0.0.1:${env.LG_DNS_PORT}"}},
        {"id": "wrong", "kind": "dns", "params": {"name": "mcp.loadgate.test", "server": "127.0.0.1:${env.LG_DNS_PORT}", "equals": ["127.0.0.99"]}}
        """)
        #expect(missing.exitCode == 1)
        #expect(Self.text(items["nx"], "observed") == "NXDOMAIN")
        #expect(Self.text(items["wrong"], "observed") == "127.0.0.10")
    }

    @Test("a closed port and a listener that never answers fail within their timeouts")
    func deadEnds() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let closed = try PeerProcess.freePort()
        // A socket that listens but never accepts or answers: the kernel completes the handshake,
        // then nothing comes back.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) } }
        listen(silent, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) } }
        let silentPort = Int(UInt16(bigEndian: address.sin_port))
        let started = Date()
        let (run, items) = try Self.runItems(peers, """
        {"id": "closed", "kind": "tcp", "params": {"host": "127.0.0.1", "port": \(closed)}, "timeout": "1s"},
        {"id": "silent-http", "kind": "http", "params": {"url": "http://127.0.0.1:\(silentPort)/health/live"}, "timeout": "1s"},
        {"id": "silent-redis", "kind": "redis", "params": {"host": "127.0.0.1", "port": \(silentPort)}, "timeout": "1s"}
        """)
        #expect(run.exitCode == 1)
        #expect(Date().timeIntervalSince(started) < 6, "items run concurrently and stop at their timeouts")
        #expect(Self.text(items["closed"], "observed") == "connection refused")
        #expect(Self.text(items["silent-http"], "observed").contains("Timeout"))
        #expect(Self.text(items["silent-redis"], "message").contains("PING answered (no reply"))
    }

    @Test("a secrets file readable by others fails; placeholders fail; values never appear")
    func secrets() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let open = try peers.scratch.write("open.key", "a-real-looking-secret-value-123456")
        chmod(open, 0o644)
        let closed = try peers.scratch.write("closed.key", "a-real-looking-secret-value-123456")
        chmod(closed, 0o600)
        let (run, items) = try Self.runItems(peers, """
        {"id": "open", "kind": "secrets", "params": {"file": "\(open)"}},
        {"id": "closed", "kind": "secrets", "params": {"file": "\(closed)"}},
        {"id": "placeholder", "kind": "secrets", "params": {"env": "PLACEHOLDER_TOKEN"}}
        """, environment: ["PLACEHOLDER_TOKEN": "changeme"])
        #expect(run.exitCode == 1)
        #expect(items["open"]?["status"] == .string("failed"))
        #expect(Self.text(items["open"], "message").contains("readable by group or others (mode 644)"))
        #expect(items["closed"]?["status"] == .string("passed"))
        #expect(Self.text(items["placeholder"], "message").contains("placeholder"))
        #expect(!run.stdout.contains("a-real-looking-secret-value"))
    }

    @Test("a manual item passes only with a current attestation; a waiver waives")
    func manualItems() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let items = """
        {"id": "kms", "kind": "manual", "params": {"description": "secrets are KMS-encrypted"}},
        {"id": "expired", "kind": "manual"},
        {"id": "missing", "kind": "manual"},
        {"id": "waived", "kind": "tcp", "params": {"host": "127.0.0.1", "port": 1}}
        """
        let (run, results) = try Self.runItems(peers, items, attestations: """
        [{"id": "kms", "by": "auditor@example.com", "at": "2026-01-01", "evidence": "KMS key arn:kms:1 on openai-key", "expires": "2099-01-01"},
         {"id": "expired", "by": "auditor@example.com", "at": "2024-01-01", "evidence": "old", "expires": "2025-01-01"},
         {"id": "waived", "by": "ciso@example.com", "at": "2026-01-01", "waiver": true, "justification": "port 1 is closed on purpose", "expires": "2099-01-01"}]
        """)
        #expect(run.exitCode == 1)
        #expect(results["kms"]?["status"] == .string("passed"))
        #expect(Self.text(results["kms"], "observed").hasPrefix("attested by auditor@example.com"))
        #expect(Self.text(results["expired"], "message") == "the attestation expired")
        #expect(results["missing"]?["status"] == .string("failed"))
        #expect(results["waived"]?["status"] == .string("waived"))
    }

    @Test("vpn: an interface that exists, is up, holds an address and routes the target passes; a missing one fails",
          .enabled(if: NetworkNamespace.available, "needs root and `ip netns` (CI runs as root)"))
    func vpn() throws {
        let namespace = try NetworkNamespace()
        let scratch = try ScratchDirectory()
        let checklist = try scratch.write("vpn.json", """
        {"name": "vpn", "sections": {"infrastructure": [
          {"id": "tunnel", "kind": "vpn", "params": {"interface": "tun0", "cidr": "10.99.0.0/24", "routeTo": "10.99.0.7"}},
          {"id": "absent", "kind": "vpn", "params": {"interface": "wg9"}}]}}
        """)
        let out = scratch.path("out")
        let run = try namespace.run([CLIRun.binary, "check", checklist, "--out", out])
        #expect(run.exitCode == 1, "\(run.stdout)")
        let items = try Self.items(out)
        #expect(items["tunnel"]?["status"] == .string("passed"), "\(run.stdout)")
        #expect(Self.text(items["tunnel"], "observed").contains("route to 10.99.0.7 via tun0"))
        #expect(Self.text(items["absent"], "message").contains("does not exist"))
    }
}

/// A network namespace made by the test (with a veth pair whose end is named tun0, addressed
/// 10.99.0.2/24 inside the namespace only), deleted afterwards. Nothing leaves this machine.
final class NetworkNamespace: @unchecked Sendable {
    let name = "lgtest\(getpid() % 100000)"

    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else { return false }
        let probe = "lgprobe\(getpid() % 100000)"
        defer { _ = shell(["ip", "netns", "del", probe]) }
        return shell(["ip", "netns", "add", probe]) == 0
    }()

    init() throws {
        _ = Self.shell(["ip", "netns", "del", name])
        for command in [["ip", "netns", "add", name],
                        ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],
                        ["ip", "netns", "exec", name, "ip", "link", "add", "tun0", "type", "veth", "peer", "name", "tun0peer"],
                        ["ip", "netns", "exec", name, "ip", "addr", "add", "10.99.0.2/24", "dev", "tun0"],
                        ["ip", "netns", "exec", name, "ip", "link", "set", "tun0peer", "up"],
                        ["ip", "netns", "exec", name, "ip", "link", "set", "tun0", "up"]] {
            guard Self.shell(command) == 0 else { throw PeerProcess.PeerError.exited(1) }
        }
    }

    deinit { _ = Self.shell(["ip", "netns", "del", name]) }

    func run(_ argv: [String]) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", name] + argv
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(exitCode: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "", seconds: Date().timeIntervalSince(started))
    }

    @discardableResult
    static func shell(_ argv: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite("Checklist files")
struct ChecklistFileTests {
    static let productionEnvironment = [
        "LG_VPN_INTERFACE": "tun0", "LG_VPN_CIDR": "10.8.0.0/16", "LG_LLM_HOST": "gaia.example.invalid",
        "LG_MCP_METRICS_URL": "http://mcp.example.invalid:9090/metrics", "LG_ORCH_METRICS_URL": "http://orch.example.invalid:9091/metrics",
        "LG_MCP_URL": "http://mcp.example.invalid:8080", "LG_ORCH_URL": "http://orch.example.invalid:8081", "LG_LLM_URL": "https://gaia.example.invalid/health",
        "LG_LLM_TOKEN": "t", "LG_REDIS_HOST": "redis.example.invalid", "LG_REDIS_PORT": "6379", "LG_API_TOKEN": "t", "LG_REDIS_PASSWORD": "p",
    ]

    @Test("the shipped deployment checklist covers every item of the platform's verification list")
    func deploymentVerification() throws {
        let path = PeerProcess.packageRoot.appendingPathComponent("checklists/deployment-verification.json").path
        // The Redis cluster item verifies TLS with files that must exist when the checklist loads.
        let scratch = try ScratchDirectory()
        try RedisClusterPeers.makeCerts(scratch.path("certs"))
        var environment = Self.productionEnvironment
        environment["LG_REDIS_CA_FILE"] = scratch.path("certs/ca.crt")
        environment["LG_REDIS_CLIENT_CERT"] = scratch.path("certs/client.crt")
        environment["LG_REDIS_CLIENT_KEY"] = scratch.path("certs/client.key")
        let checklist = try ChecklistLoader(environment: environment).load(path: path)
        let redis = try #require(checklist.items.first { $0.id == "redis-persistence" })
        guard case let .redis(spec) = redis.check else { Issue.record("redis-persistence is not a redis item"); return }
        #expect(spec.cluster && spec.tls != nil && spec.requirePersistenceOK && spec.tls?.insecure == false)
        #expect(Set(checklist.items.map(\.section)) == ["infrastructure", "security", "monitoring", "functional"])
        let ids = Set(checklist.items.map(\.id))
        for id in ["vpn-connectivity", "workspace-reachable", "cluster-auth", "namespace-quotas", "config-deployed",
                   "mesh-mtls", "llm-egress", "directory-auth", "audit-logging", "kms-secrets",
                   "prometheus-mcp", "grafana-dashboards", "compliance-metrics", "cost-metrics", "security-events",
                   "mcp-health-live", "orchestrator-workflows", "llm-api", "inter-agent-mesh", "redis-persistence"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(Set(checklist.items.map(\.check.kindName)).isSuperset(of: ["vpn", "tcp", "dns", "tls", "http", "secrets", "redis", "prometheus", "command", "manual"]))
    }

    @Test("checklist problems are located and reported together")
    func locatedErrors() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("bad.json", """
        {"name": "bad", "sections": {"security": [
          {"id": "a", "kind": "tsl", "params": {}},
          {"id": "b", "kind": "tcp", "params": {"host": "127.0.0.1", "port": 70000, "hots": "x"}},
          {"id": "c", "kind": "secrets", "params": {"env": "X", "file": "/y"}}]}}
        """)
        do {
            _ = try ChecklistLoader(environment: [:]).load(path: file)
            Issue.record("expected errors")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "\(file): sections.security[0].kind: expected one of tcp, vpn, dns, tls, http, secrets, redis, prometheus, command, manual; did you mean 'tls'?",
                "\(file): sections.security[1].params.hots: unknown parameter; did you mean 'host'?",
                "\(file): sections.security[1].params.port: 70000 is out of range; it must be between 1 and 65535",
                "\(file): sections.security[2].params: needs exactly one of \"env\" (a variable name) or \"file\" (a path)",
            ])
        }
    }
}

@Suite("Load over TLS", .serialized)
struct TLSLoadTests {
    @Test("HTTP/2 over TLS with a client certificate: every request is served as HTTP/2; without the certificate nginx refuses")
    func http2WithClientCertificate() throws {
        let peers = try ChecklistPeers(redisCluster: false)
        let scenario = { (version: String, withCert: Bool) -> String in
            let cert = withCert ? #", "certFile": "\#(peers.certs)/client.crt", "keyFile": "\#(peers.certs)/client.key""# : ""
            return """
            {"name": "h\(version == "2" ? "2" : "1")", "target": "https://127.0.0.1:\(peers.tls.port)",
             "defaults": {"http": "\(version)", "tls": {"caFile": "\(peers.certs)/ca.crt"\(cert)}},
             "load": {"vus": 4, "iterations": 40},
             "steps": [{"name": "protocol", "request": {"path": "/protocol"}, "expect": {"status": [200], "json": {"/protocol": "\(version == "2" ? "HTTP/2.0" : "HTTP/1.1")"}}}]}
            """
        }
        for version in ["2", "1.1"] {
            let file = try peers.scratch.write("h\(version).json", scenario(version, true))
            let out = peers.scratch.path("out-\(version)")
            let run = try CLIRun.run(["run", file, "--out", out, "--quiet"])
            #expect(run.exitCode == 0, "HTTP/\(version): \(run.stdout)")
            let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
            #expect(summary.number("/totals/requests") == 40)
            #expect(summary.number("/totals/failed") == 0, "every response reports HTTP/\(version)")
            #expect((summary.number("/steps/0/tls/count") ?? 0) >= 1, "TLS handshakes are timed")
        }
        let file = try peers.scratch.write("nocert.json", scenario("2", false))
        let refused = try CLIRun.run(["run", file, "--out", peers.scratch.path("out-nocert"), "--quiet"])
        #expect(refused.exitCode == 1)
        #expect(refused.stdout.contains("status codes: 400 40"))
    }
}
