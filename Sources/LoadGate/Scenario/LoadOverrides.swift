/// Command-line overrides of a scenario (`--target`, `--rate`, `--vus`, `--duration`) as typed
/// values. They are read from the flags by `parse` (every problem names its flag) and applied to
/// the load settings read from the file (`apply`), never re-validated as if they were the file.
public struct LoadOverrides: Sendable, Equatable {
    public var target: String?
    /// Iterations started per second; switches to the open model.
    public var rate: Double?
    /// Virtual users; switches to the closed model.
    public var vus: Int?
    public var durationNanos: Int64?

    public init(target: String? = nil, rate: Double? = nil, vus: Int? = nil, durationNanos: Int64? = nil) {
        self.target = target
        self.rate = rate
        self.vus = vus
        self.durationNanos = durationNanos
    }

    public var isEmpty: Bool { target == nil && rate == nil && vus == nil && durationNanos == nil }

    /// Reads the flags' text (nil: not given). Every problem is located at its flag.
    public static func parse(target: String?, rate: String?, vus: String?, duration: String?) -> Result<LoadOverrides, ValidationFailure> {
        var overrides = LoadOverrides(target: target)
        var problems: [Diagnostic] = []
        func problem(_ flag: String, _ message: String) { problems.append(Diagnostic(file: "command line", path: flag, message: message)) }
        if let rate {
            switch SafeNumber.decimal(text: rate, in: Limits.ratePerSecond) {
            case let .success(value) where value > 0: overrides.rate = value
            case .failure(.notANumber): problem("--rate", "\"\(rate)\" is not a positive number of iterations per second")
            default: problem("--rate", "\"\(rate)\" must be greater than 0 and at most \(JSONWriter.format(Limits.ratePerSecond.upperBound)) iterations per second")
            }
        }
        if let vus {
            switch SafeNumber.integer(text: vus, in: Limits.virtualUsers) {
            case let .success(value): overrides.vus = value
            case let .failure(reason): problem("--vus", "\(reason.message) of virtual users (\(Limits.virtualUsers.lowerBound)-\(Limits.virtualUsers.upperBound))")
            }
        }
        if overrides.rate != nil && overrides.vus != nil {
            problem("--rate", "--rate (open model) and --vus (closed model) exclude each other")
        }
        if let duration {
            overrides.durationNanos = FieldReader.durationNanos(duration, in: Limits.runNanos) { problem("--duration", $0) }
        }
        return problems.isEmpty ? .success(overrides) : .failure(ValidationFailure(problems))
    }

    /// Keys of the file's `load` that these overrides replace: `--rate` drops the closed model's
    /// settings, `--vus` the open model's, `--duration` the stages.
    var replacedLoadKeys: Set<String> {
        var keys: Set<String> = []
        if rate != nil { keys.formUnion(["vus", "iterations", "stages", "rate"]) }
        if vus != nil { keys.formUnion(["rate", "stages", "connections", "maxLateness", "tolerance", "vus"]) }
        if durationNanos != nil { keys.formUnion(["stages", "duration"]) }
        return keys
    }

    /// True when the overrides choose a load model, so the file may have no `load` at all.
    var choosesModel: Bool { rate != nil || vus != nil }

    func apply(to fields: inout LoadFields) {
        if let rate { fields.rate = rate }
        if let vus { fields.vus = vus }
        if let durationNanos { fields.durationNanos = durationNanos }
    }
}
