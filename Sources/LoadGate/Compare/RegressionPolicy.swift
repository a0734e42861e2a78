import Foundation

/// When a change between a baseline and a new run is a regression: it must be worse by more than
/// a relative tolerance (default 10%) AND by more than an absolute noise floor (default 10 ms for
/// latency, 0.1 percentage points for availability, 1/s for throughput), so that jitter on a fast
/// endpoint is never a regression and a large relative swing of a tiny value is not either.
///
/// Why 10 ms: identical reruns against a fixed 10 ms target on a busy shared 2-core machine
/// (load average 8) differed by up to 5 ms at p95 and 8 ms at p99 — the OS scheduling the target
/// and the generator late, not the target getting slower. A floor under that calls the machine's
/// noise a regression; on quiet dedicated hardware `--floor 1ms` is safe. The command line sets the defaults; a scenario's `"regression"` object overrides
/// them per metric and per step (`{"p95": "15%", "live: p99": {"max": "20%", "floor": "5ms"}}`).
public struct RegressionPolicy: Sendable, Equatable {
    /// A relative tolerance (0.10 = 10%) and an absolute floor in the metric's unit; nil = inherit.
    public struct Tolerance: Sendable, Equatable {
        public var relative: Double?
        public var floor: Double?
        public init(relative: Double? = nil, floor: Double? = nil) {
            self.relative = relative
            self.floor = floor
        }
    }

    public static let defaultRelative = 0.10
    public static let defaultFloors: [ComparedMetric.Unit: Double] = [.seconds: 0.010, .share: 0.001, .perSecond: 1]

    /// `--max-regression`, applied to every metric without an override.
    public var relative = RegressionPolicy.defaultRelative
    /// `--floor`: the latency floor in seconds.
    public var latencyFloorSeconds = RegressionPolicy.defaultFloors[.seconds]!
    /// The scenario's overrides, by "metric" or "step: metric" (the scenario-wide "max"/"floor" as "*").
    public var overrides: [String: Tolerance] = [:]

    public init(relative: Double = RegressionPolicy.defaultRelative, latencyFloorSeconds: Double = RegressionPolicy.defaultFloors[.seconds]!,
                overrides: [String: Tolerance] = [:]) {
        self.relative = relative
        self.latencyFloorSeconds = latencyFloorSeconds
        self.overrides = overrides
    }

    /// The tolerance that applies to `metric` of `step` (nil: overall). Most specific wins:
    /// "step: metric", then "metric", then the scenario-wide "*", then the command line.
    public func tolerance(for metric: ComparedMetric, step: String?) -> (relative: Double, floor: Double) {
        let keys = [step.map { "\($0): \(metric.key)" }, metric.key, "*"].compactMap { $0 }
        let chain = keys.compactMap { key in overrides[key].map { (key: key, tolerance: $0) } }
        let relative = chain.lazy.compactMap(\.tolerance.relative).first ?? self.relative
        // The scenario-wide floor is a duration: it applies to latency metrics only.
        let floor = chain.lazy.compactMap { $0.key == "*" && metric.unit != .seconds ? nil : $0.tolerance.floor }.first
            ?? (metric.unit == .seconds ? latencyFloorSeconds : Self.defaultFloors[metric.unit]!)
        return (relative, floor)
    }

    /// Parses "10%" or "0.1" as a share; nil when it is neither or not within 0...10 (1000%).
    public static func parseShare(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value = trimmed.hasSuffix("%") ? Double(trimmed.dropLast()).map { $0 / 100 } : Double(trimmed)
        guard let value, value.isFinite, value >= 0, value <= 10 else { return nil }
        return value
    }

    /// Parses a floor in `unit`: a duration ("1ms") for latency, percentage points ("0.1%") for
    /// availability, a rate ("5/s" or "5") for throughput.
    public static func parseFloor(_ text: String, unit: ComparedMetric.Unit) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch unit {
        case .seconds:
            return DurationText.parseNanos(trimmed).map { Double($0) / 1e9 }
        case .share:
            guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast()), value >= 0, value <= 100 else { return nil }
            return value / 100
        case .perSecond:
            let number = trimmed.hasSuffix("/s") ? String(trimmed.dropLast(2)) : trimmed
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return value
        }
    }

    /// Decodes a scenario's `"regression"` object into overrides, reporting each problem located
    /// (`regression.p95: ...`). `stepNames` are the metrics a "step: metric" key may name.
    static func decodeOverrides(_ value: JSONValue, stepNames: [String], _ sink: FieldReader) -> [String: Tolerance] {
        guard case let .object(members) = value else {
            sink.report("regression", "expected an object such as {\"p95\": \"15%\"}, found \(value.kindName)")
            return [:]
        }
        var overrides: [String: Tolerance] = [:]
        var wide = Tolerance()
        for member in members {
            let path = "regression.\(member.key)"
            if member.key == "max" || member.key == "floor" {
                guard case let .string(text) = member.value else {
                    sink.report(path, "expected a string such as \(member.key == "max" ? "\"10%\"" : "\"1ms\""), found \(member.value.kindName)")
                    continue
                }
                if member.key == "max" {
                    if let share = parseShare(text) { wide.relative = share } else { sink.report(path, "\"\(text)\" is not a share; write e.g. \"10%\"") }
                } else {
                    if let floor = parseFloor(text, unit: .seconds) { wide.floor = floor } else { sink.report(path, "\"\(text)\" is not a duration; write e.g. \"1ms\"") }
                }
                continue
            }
            var step: String?
            var metricKey = member.key
            if let colon = member.key.firstIndex(of: ":") {
                step = String(member.key[..<colon]).trimmingCharacters(in: .whitespaces)
                metricKey = String(member.key[member.key.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            guard let metric = ComparedMetric.all.first(where: { $0.key == metricKey }) else {
                let hint = closestMatch(to: metricKey, in: ComparedMetric.keys + ["max", "floor"]).map { "; did you mean '\($0)'?" }
                    ?? "; compared metrics are \(ComparedMetric.keys.joined(separator: ", "))"
                sink.report(path, "'\(metricKey)' is not a compared metric\(hint)")
                continue
            }
            if let step, !stepNames.contains(step) {
                let hint = closestMatch(to: step, in: stepNames).map { "; did you mean '\($0)'?" } ?? ""
                sink.report(path, "names step '\(step)', which the scenario does not have\(hint)")
                continue
            }
            var tolerance = Tolerance()
            switch member.value {
            case let .string(text):
                if let share = parseShare(text) { tolerance.relative = share } else { sink.report(path, "\"\(text)\" is not a share; write e.g. \"15%\"") }
            case .object:
                for key in ["max", "floor"] where member.value[key] != nil {
                    guard case let .string(text)? = member.value[key] else { sink.report("\(path).\(key)", "expected a string"); continue }
                    if key == "max" {
                        if let share = parseShare(text) { tolerance.relative = share } else { sink.report("\(path).max", "\"\(text)\" is not a share; write e.g. \"15%\"") }
                    } else if let floor = parseFloor(text, unit: metric.unit) {
                        tolerance.floor = floor
                    } else {
                        sink.report("\(path).floor", "\"\(text)\" is not a floor for \(metric.key); write e.g. \(floorExample(metric.unit))")
                    }
                }
                if case let .object(inner) = member.value {
                    for extra in inner where extra.key != "max" && extra.key != "floor" {
                        sink.report("\(path).\(extra.key)", "unknown key; allowed: max, floor")
                    }
                }
            default:
                sink.report(path, "expected a share such as \"15%\" or {\"max\": \"15%\", \"floor\": \(floorExample(metric.unit))}, found \(member.value.kindName)")
            }
            overrides[step.map { "\($0): \(metric.key)" } ?? metric.key] = tolerance
        }
        if wide != Tolerance() { overrides["*"] = wide }
        return overrides
    }

    static func floorExample(_ unit: ComparedMetric.Unit) -> String {
        switch unit {
        case .seconds: return "\"5ms\""
        case .share: return "\"0.5%\""
        case .perSecond: return "\"5/s\""
        }
    }
}
