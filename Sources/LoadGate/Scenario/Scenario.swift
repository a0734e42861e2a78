/// A validated, ready-to-run scenario: everything the engine needs, with templates compiled,
/// durations in nanoseconds and defaults applied. Built only by `ScenarioLoader`.
public struct Scenario: Sendable {
    public var name: String
    /// Base URL the steps' paths are joined to (credentials never appear in reports).
    public var target: String?
    public var load: LoadModel
    public var steps: [Step]
    public var slos: [SLOExpression]
    /// True when the scenario named no SLOs and the platform defaults were applied.
    public var slosAreDefaults: Bool
    public var tls: TLSOptions
    public var httpVersion: HTTPVersion
    /// SHA-256 (hex) of the scenario file's bytes, for provenance.
    public var sha256: String
    /// Every value taken from the environment while compiling templates; never printed.
    public var secretValues: [String]
    /// Variables referenced but unset (only when loaded for validation).
    public var unsetEnvironment: [String]
    public var mcp = MCPSettings()
    public var a2a = A2ASettings()
    /// `defaults.engine`: which HTTP engine plain steps may use (see `HTTPEngineChoice`).
    public var engine = HTTPEngineSetting.auto
    /// `"regression"`: per-metric tolerances for `compare` and `gate --baseline`, by "metric" or "step: metric".
    public var regressionOverrides: [String: RegressionPolicy.Tolerance] = [:]
}

/// Scenario-wide MCP settings (`"mcp": {...}`).
public struct MCPSettings: Sendable, Equatable {
    /// Absolute URL of the Streamable HTTP endpoint (target + `endpoint`, default `/mcp`).
    public var endpointURL = ""
    /// `2025-11-25` (session era, default), `2025-06-18`, `2025-03-26`, or `2026-07-28` (stateless).
    public var protocolVersion = MCPSettings.latestSessionVersion
    /// Share this many sessions among all virtual users (nil: one session per VU).
    public var sessions: Int?

    public static let latestSessionVersion = "2025-11-25"
    public static let statelessVersion = "2026-07-28"
    public static let sessionVersions = ["2025-03-26", "2025-06-18", "2025-11-25"]
    public var isStateless: Bool { protocolVersion == Self.statelessVersion }
    public init() {}
}

/// Scenario-wide A2A settings (`"a2a": {...}`).
public struct A2ASettings: Sendable, Equatable {
    /// Agent card URL (default target + `/.well-known/agent-card.json`, then the legacy `agent.json`).
    public var cardURLs: [String] = []
    /// "1.0" or "0.3"; nil: chosen from the agent card.
    public var version: String?
    /// JSON-RPC endpoint override; nil: taken from the agent card.
    public var endpointURL: String?
    /// Origins (`https://host:port`) besides the target's that an endpoint advertised by the agent
    /// card may have (`a2a.allowedOrigins`); any other endpoint from the card is refused.
    public var allowedOrigins: [String] = []
    public init() {}
}

/// What a step does: one plain HTTP request, or a protocol exchange of several requests.
public enum StepKind: Sendable {
    case http
    case mcp(MCPCall)
    case a2a(A2ASend)
    case workflow(WorkflowSpec)

    public var isHTTP: Bool { if case .http = self { return true } else { return false } }
}

/// One MCP request (`tools/call`, `tools/list`, ... or a raw method).
public struct MCPCall: Sendable {
    public var method: String
    /// The JSON text of `params` (an object), templated; `_meta` is added for the stateless era.
    public var params: Template
    /// For `Mcp-Name` in the stateless era: the tool, prompt or resource named by the call.
    public var name: String?
    /// True when a JSON-RPC error or `isError: true` is the expected outcome.
    public var expectError: Bool

    /// The handshake's own metric, never mixed into a call's latency.
    public static let handshakeMetric = "mcp.initialize"
}

/// Send a message to an A2A agent and wait for the task to reach `await`.
public struct A2ASend: Sendable {
    public var text: Template
    public var awaitState: String
    public var timeoutNanos: Int64
    public var stream: Bool
    public var returnImmediately: Bool
    public var pollIntervalNanos: Int64
}

/// Submit a workflow to the orchestrator's REST API and poll its status until done.
public struct WorkflowSpec: Sendable {
    public var submitMethod: String
    public var submitURL: Template
    public var submitBody: Template?
    public var statusURL: Template
    public var idPointer: String
    public var statePointer: String
    public var done: [String]
    public var failed: [String]
    public var pollIntervalNanos: Int64
    public var timeoutNanos: Int64
}

/// `auto`: the native HTTP/1.1 engine when the whole run qualifies, else libcurl; `libcurl`: always libcurl.
public enum HTTPEngineSetting: String, Sendable {
    case auto, libcurl
}

public enum HTTPVersion: String, Sendable {
    case http1_1 = "1.1"
    case http2 = "2"
}

public struct TLSOptions: Sendable, Equatable {
    /// Verification is on unless the scenario says `"insecure": true` explicitly.
    public var insecure = false
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public init() {}
}

/// One request of an iteration, and what makes its response a success.
public struct Step: Sendable {
    public var name: String
    public var method: String
    public var url: Template
    public var headers: [(name: String, value: Template)]
    public var body: Template?
    public var expect: Expectation
    public var timeoutNanos: Int64
    public var kind: StepKind = .http
    /// Run only in each virtual user's first iteration (e.g. list tools once).
    public var once = false
    /// Values taken from the response by JSON Pointer, for `${captured.NAME}` in later steps.
    public var capture: [(name: String, pointer: String)] = []
    /// A response body larger than this fails the request (`body-too-large`) and the transfer is
    /// stopped there, so a huge or endless body costs bounded memory and time.
    public var maxBodyBytes = Step.defaultMaxBodyBytes
    /// One server-sent event (its lines up to the blank line that ends it) larger than this fails
    /// an MCP or A2A step (`body-too-large`): events have their own limit within the body's.
    public var maxEventBytes = Step.defaultMaxEventBytes

    public static let defaultMaxBodyBytes = 1 << 20
    public static let maxBodyBytesCeiling = 1 << 30
    public static let defaultMaxEventBytes = 1 << 20

    public var isStatic: Bool {
        kind.isHTTP && url.isStatic && headers.allSatisfy { $0.value.isStatic } && (body?.isStatic ?? true)
    }

    /// Extra metrics a protocol step reports beside its own, named `<step>.<phase>` (or
    /// `mcp.initialize` for the MCP handshake, shared by all MCP steps).
    public var phaseNames: [String] {
        switch kind {
        case .http: return []
        case .mcp: return [MCPCall.handshakeMetric]
        case let .a2a(send): return send.stream ? ["\(name).submit", "\(name).first_event"] : ["\(name).submit"]
        case .workflow: return ["\(name).submit"]
        }
    }
}

/// Response checks. Without `status`, 2xx and 3xx are accepted (as in k6).
public struct Expectation: Sendable {
    public var status: [Int]?
    public var bodyContains: [String] = []
    public var json: [(pointer: String, value: JSONValue)] = []

    public var needsBody: Bool { !bodyContains.isEmpty || !json.isEmpty }

    public func accepts(status code: Int) -> Bool {
        if let status { return status.contains(code) }
        return (200..<400).contains(code)
    }
}

/// How load is generated: virtual users looping (closed) or iterations started on a schedule
/// regardless of responses (open, coordinated-omission corrected).
public enum LoadModel: Sendable, Equatable {
    case closed(ClosedLoad)
    case open(OpenLoad)
}

public struct ClosedLoad: Sendable, Equatable {
    /// VUs at the start (without stages: for the whole run).
    public var vus: Int
    /// Run length; with `iterations` it is the safety bound (default 10 minutes).
    public var durationNanos: Int64
    /// Total iterations shared by all VUs, or nil to loop until the duration ends.
    public var iterations: Int?
    public var stages: [Stage]

    public struct Stage: Sendable, Equatable {
        public var durationNanos: Int64
        public var vus: Int
    }

    /// The most VUs active at any time: how many connections the run needs.
    public var peakVUs: Int { max(vus, stages.map(\.vus).max() ?? 0) }
}

public struct OpenLoad: Sendable, Equatable {
    /// Iterations started per second (without stages: constant; with stages: the start rate).
    public var rate: Double
    public var durationNanos: Int64
    public var stages: [Stage]
    /// At most this many requests in flight (wrk2's -c).
    public var connections: Int
    /// An iteration later than this is dropped and counted.
    public var maxLatenessNanos: Int64
    /// Allowed shortfall of the achieved start rate, in percent.
    public var tolerancePercent: Double

    public struct Stage: Sendable, Equatable {
        public var durationNanos: Int64
        public var rate: Double
    }

    public static let defaultConnections = 100
    public static let defaultMaxLatenessNanos: Int64 = 10 * DurationText.nanosPerSecond
    public static let defaultTolerancePercent = 5.0
}

extension LoadModel {
    /// Planned run length (for iteration-bounded closed runs: the safety bound).
    public var durationNanos: Int64 {
        switch self {
        case let .closed(load): return load.durationNanos
        case let .open(load): return load.durationNanos
        }
    }
}
