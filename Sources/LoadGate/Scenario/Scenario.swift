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

    public var isStatic: Bool {
        url.isStatic && headers.allSatisfy { $0.value.isStatic } && (body?.isStatic ?? true)
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
