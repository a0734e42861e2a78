/// A deployment verification checklist: sections of items, each a declarative check (Goss style)
/// with InSpec-style severity, tags, references and evidence. Built by `ChecklistLoader`.
public struct Checklist: Sendable {
    public var name: String
    public var items: [ChecklistItem]
    public var sha256: String
    /// Values from the environment that must never be printed (secrets, passwords, tokens).
    public var secretValues: [String]
    /// Variables referenced but unset (only when loaded for validation).
    public var unsetEnvironment: [String] = []
}

public enum Severity: String, Sendable, CaseIterable {
    case critical, high, medium, low
}

public struct ChecklistItem: Sendable {
    public var id: String
    public var title: String
    public var section: String
    public var severity: Severity
    public var tags: [String]
    public var refs: [String]
    public var check: CheckSpec
    public var timeoutNanos: Int64
    /// Goss-style retries: keep trying every `retryIntervalNanos` until the item passes or
    /// `retryTimeoutNanos` has passed (0: one attempt).
    public var retryTimeoutNanos: Int64
    public var retryIntervalNanos: Int64
}

/// What an item checks, with its parameters validated at load time.
public enum CheckSpec: Sendable {
    case tcp(host: String, port: Int, localAddress: String?)
    case vpn(VPNSpec)
    case dns(DNSSpec)
    case tls(TLSSpec)
    case http(HTTPCheckSpec)
    case secrets(SecretSpec)
    case redis(RedisSpec)
    case prometheus(PrometheusSpec)
    case command(argv: [String], exitCode: Int, outputPattern: String?)
    case manual(description: String)

    public var kindName: String {
        switch self {
        case .tcp: return "tcp"
        case .vpn: return "vpn"
        case .dns: return "dns"
        case .tls: return "tls"
        case .http: return "http"
        case .secrets: return "secrets"
        case .redis: return "redis"
        case .prometheus: return "prometheus"
        case .command: return "command"
        case .manual: return "manual"
        }
    }
}

public struct VPNSpec: Sendable {
    public var interface: String
    public var cidr: String?
    public var routeTo: String?
    public var probe: (host: String, port: Int)?
}

public struct DNSSpec: Sendable {
    public var name: String
    public var type: String
    /// "host:port" of a DNS server, or nil for the system resolver.
    public var server: String?
    public var equals: [String]?
    public var contains: [String]?
}

public struct TLSSpec: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String?
    public var caFile: String?
    /// "1.2" or "1.3": the lowest version the server must accept; one below must be refused.
    public var minVersion: String?
    public var minDaysValid: Int?
    public var clientAuthRequired: Bool
    public var clientCert: String?
    public var clientKey: String?
    /// A certificate from another CA, which a server requiring mTLS must refuse.
    public var foreignCert: String?
    public var foreignKey: String?
    public var path: String
}

public struct HTTPCheckSpec: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: String?
    public var caFile: String?
    public var clientCert: String?
    public var clientKey: String?
    public var insecure: Bool
    public var status: [Int]
    public var header: (name: String, contains: String)?
    public var bodyContains: String?
    public var bodyRegex: String?
    public var json: [(pointer: String, value: JSONValue)]
    public var maxLatencyNanos: Int64?
}

public struct SecretSpec: Sendable {
    public var env: String?
    public var file: String?
    public var minLength: Int
}

public struct RedisSpec: Sendable {
    public var host: String
    public var port: Int
    public var passwordEnv: String?
    public var username: String?
    public var keyPrefix: String
    public var role: String?
    public var requirePersistenceOK: Bool
    public var maxLatencyNanos: Int64?
    /// `"tls": true`: TLS with verification on (CA file, client certificate, `insecure` only when explicit).
    public var tls: TLSOptions? = nil
    /// The name certificates are verified against, when nodes are addressed by IP.
    public var serverName: String? = nil
    /// `"cluster": true`: CLUSTER INFO/NODES, every master reached, round trip following MOVED/ASK.
    public var cluster = false
}

public struct PrometheusSpec: Sendable {
    public var url: String
    public var headers: [String]
    public var families: [(name: String, type: String?, labels: [String])]
    public var caFile: String?
    public var clientCert: String?
    public var clientKey: String?
}
