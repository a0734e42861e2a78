/// The judged outcome of anything LoadGate decides (a run, a gate, a capacity search, a checklist,
/// a merge), and the one mapping to the exit codes CI relies on. Every command returns
/// `verdict.exitCode`; no command maps outcomes to numbers itself.
public enum Verdict: String, Sendable, CaseIterable {
    /// Every SLO and every selected, non-waived check passed.
    case passed
    /// The target missed an SLO or a check failed: the release should not ship.
    case failed
    /// The measurement cannot be trusted (interrupted, or the load could not be generated).
    case invalid

    public var exitCode: Int32 {
        switch self {
        case .passed: return ExitCode.passed
        case .failed: return ExitCode.gateFailed
        case .invalid: return ExitCode.verdictInvalid
        }
    }

    /// The verdict of two parts together: invalid outranks failed, failed outranks passed.
    public func combined(with other: Verdict) -> Verdict {
        if self == .invalid || other == .invalid { return .invalid }
        if self == .failed || other == .failed { return .failed }
        return .passed
    }
}

/// The exit-code contract: 0 passed · 1 gate failed · 2 invalid usage or input · 3 verdict invalid
/// (interrupted, or the requested load could not be generated) · 4 internal error.
public enum ExitCode {
    public static let passed: Int32 = 0
    public static let gateFailed: Int32 = 1
    public static let invalidInput: Int32 = 2
    public static let verdictInvalid: Int32 = 3
    public static let internalError: Int32 = 4
}
