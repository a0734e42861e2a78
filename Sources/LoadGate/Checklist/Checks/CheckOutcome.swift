/// What one attempt of a check found: expected vs observed evidence, as an auditor reads it.
public struct CheckOutcome: Sendable, Equatable {
    public var passed: Bool
    public var expected: String
    public var observed: String
    public var message: String
    /// The item could not be checked because of its own configuration (a client certificate that
    /// cannot be loaded, say): reported as status `error`, never as the target's failure.
    public var isConfigurationError = false

    public static func pass(_ expected: String, _ observed: String, _ message: String = "") -> CheckOutcome {
        CheckOutcome(passed: true, expected: expected, observed: observed, message: message)
    }

    public static func fail(_ expected: String, _ observed: String, _ message: String) -> CheckOutcome {
        CheckOutcome(passed: false, expected: expected, observed: observed, message: message)
    }

    public static func error(_ expected: String, _ observed: String, _ message: String) -> CheckOutcome {
        CheckOutcome(passed: false, expected: expected, observed: observed, message: message, isConfigurationError: true)
    }

    /// The same outcome with `expected` filled in (for outcomes made before it was known).
    func with(expected: String) -> CheckOutcome {
        var copy = self
        if copy.expected.isEmpty { copy.expected = expected }
        return copy
    }
}

/// Everything a check may need besides its own parameters.
public struct CheckContext: Sendable {
    public var environment: [String: String]
    public var attestations: Attestations
    public var now: Double

    public init(environment: [String: String], attestations: Attestations, now: Double) {
        self.environment = environment
        self.attestations = attestations
        self.now = now
    }
}
