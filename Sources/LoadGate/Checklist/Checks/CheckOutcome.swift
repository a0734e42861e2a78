/// What one attempt of a check found: expected vs observed evidence, as an auditor reads it.
public struct CheckOutcome: Sendable, Equatable {
    public var passed: Bool
    public var expected: String
    public var observed: String
    public var message: String

    public static func pass(_ expected: String, _ observed: String, _ message: String = "") -> CheckOutcome {
        CheckOutcome(passed: true, expected: expected, observed: observed, message: message)
    }

    public static func fail(_ expected: String, _ observed: String, _ message: String) -> CheckOutcome {
        CheckOutcome(passed: false, expected: expected, observed: observed, message: message)
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
