/// The load settings of a scenario as read, before they become a `LoadModel`: each field typed
/// and range-checked, absent when not given. Command-line overrides are applied to this value.
struct LoadFields {
    var rate: Double?
    var vus: Int?
    var iterations: Int?
    var durationNanos: Int64?
    var openStages: [OpenLoad.Stage] = []
    var closedStages: [ClosedLoad.Stage] = []
    var connections: Int?
    var maxLatenessNanos: Int64?
    var tolerancePercent: Double?
    /// Keys present in the file (valid or not), to tell "missing" from "wrong".
    var present: Set<String> = []
}

/// Reading `load`: the open model (rate, connections, lateness, tolerance) or the closed model
/// (virtual users, iterations), with stages, and the overrides from the command line.
extension ScenarioLoader {
    static let loadKeys = ["vus", "iterations", "duration", "stages", "rate", "connections", "maxLateness", "tolerance"]

    func loadModel(_ value: JSONValue?, overrides: LoadOverrides, _ r: FieldReader) -> LoadModel? {
        guard let value = value ?? (overrides.choosesModel ? .object([]) : nil) else {
            r.missing("load", "missing; e.g. {\"rate\": 100, \"duration\": \"30s\"} (open model) or {\"vus\": 10, \"duration\": \"30s\"} (closed model)")
            return nil
        }
        guard r.object(value, at: "load") != nil else { return nil }
        let before = r.problemCount
        var fields = readLoadFields(value, skipping: overrides.replacedLoadKeys, r)
        overrides.apply(to: &fields)
        let fileProblems = r.problemCount > before
        return build(fields, overrides: overrides, fileProblems: fileProblems, r)
    }

    private func readLoadFields(_ value: JSONValue, skipping replaced: Set<String>, _ r: FieldReader) -> LoadFields {
        r.checkKeys(value, allowed: Self.loadKeys, at: "load")
        var fields = LoadFields()
        func field(_ key: String) -> JSONValue? { replaced.contains(key) ? nil : value[key] }
        fields.present = Set(value.objectMembers.map(\.key)).subtracting(replaced)
        fields.rate = r.number(field("rate"), at: "load.rate", in: Limits.ratePerSecond)
        fields.vus = r.integer(field("vus"), at: "load.vus", in: Limits.virtualUsers)
        fields.iterations = r.integer(field("iterations"), at: "load.iterations", in: Limits.iterations)
        fields.durationNanos = r.duration(field("duration"), at: "load.duration", in: Limits.runNanos)
        fields.connections = r.integer(field("connections"), at: "load.connections", in: Limits.connections)
        fields.maxLatenessNanos = r.duration(field("maxLateness"), at: "load.maxLateness")
        fields.tolerancePercent = r.percent(field("tolerance"), at: "load.tolerance")
        if let stagesValue = field("stages") {
            guard case let .array(items) = stagesValue, !items.isEmpty else {
                r.report("load.stages", "expected a non-empty array of {\"duration\": ..., \"vus\" | \"rate\": ...}")
                return fields
            }
            let open = items.contains { $0["rate"] != nil }
            for (index, item) in items.enumerated() {
                let path = "load.stages[\(index)]"
                guard r.object(item, at: path) != nil else { continue }
                r.checkKeys(item, allowed: ["duration", open ? "rate" : "vus"], at: path)
                let duration = r.duration(item["duration"], at: path + ".duration", in: Limits.runNanos, required: true)
                if open {
                    let rate = r.number(item["rate"], at: path + ".rate", in: Limits.ratePerSecond, required: true)
                    if let duration, let rate { fields.openStages.append(OpenLoad.Stage(durationNanos: duration, rate: rate)) }
                } else {
                    let vus = r.integer(item["vus"], at: path + ".vus", in: 0...Limits.virtualUsers.upperBound, required: true)
                    if let duration, let vus { fields.closedStages.append(ClosedLoad.Stage(durationNanos: duration, vus: vus)) }
                }
            }
        }
        return fields
    }

    /// The stages' total length, refused beyond the longest run.
    private func stagesTotal(_ durations: [Int64], _ r: FieldReader) -> Int64? {
        var total: Int64 = 0
        for duration in durations {
            let (sum, overflow) = total.addingReportingOverflow(duration)
            guard !overflow, sum <= Limits.runNanos.upperBound else {
                r.report("load.stages", "the stages add up to more than \(DurationText.format(nanos: Limits.runNanos.upperBound))")
                return nil
            }
            total = sum
        }
        return total
    }

    private func build(_ fields: LoadFields, overrides: LoadOverrides, fileProblems: Bool, _ r: FieldReader) -> LoadModel? {
        let isOpen = fields.rate != nil || !fields.openStages.isEmpty || fields.present.contains("rate")
        let isClosed = fields.vus != nil || fields.iterations != nil || !fields.closedStages.isEmpty
            || fields.present.contains("vus") || fields.present.contains("iterations")
        if isOpen && isClosed {
            r.report("load", "mixes the open model (rate) and the closed model (vus/iterations); choose one")
            return nil
        }
        if !isOpen && !isClosed {
            if !fileProblems || !fields.present.contains("stages") {
                r.report("load", "needs \"rate\" (open model: iterations started per second) or \"vus\" (closed model: virtual users)")
            }
            return nil
        }
        let hasStages = fields.present.contains("stages")
        if hasStages && fields.present.contains("duration") {
            r.report("load.duration", "not allowed with stages; the stages' durations add up to the run length")
        }
        if isOpen {
            if let rate = fields.rate, rate <= 0, !hasStages { r.report("load.rate", "must be greater than 0") }
            let total: Int64
            if hasStages {
                guard !fields.openStages.isEmpty, let sum = stagesTotal(fields.openStages.map(\.durationNanos), r) else { return nil }
                total = sum
            } else if let duration = fields.durationNanos {
                total = duration
            } else {
                if overrides.rate != nil, !fields.present.contains("duration") {
                    r.reportFlag("--rate", "needs a run length: the scenario's load has no \"duration\"; add --duration")
                } else if !fields.present.contains("duration") {
                    r.missing("load.duration", "missing; an open-model run needs a duration such as \"30s\" (or stages)")
                }
                return nil
            }
            if !hasStages && fields.rate == nil { return nil }  // an invalid rate, reported where it is
            return .open(OpenLoad(rate: fields.rate ?? 0, durationNanos: total, stages: fields.openStages,
                                  connections: fields.connections ?? OpenLoad.defaultConnections,
                                  maxLatenessNanos: fields.maxLatenessNanos ?? OpenLoad.defaultMaxLatenessNanos,
                                  tolerancePercent: fields.tolerancePercent ?? OpenLoad.defaultTolerancePercent))
        }

        for key in ["connections", "maxLateness", "tolerance"] where fields.present.contains(key) {
            r.report("load.\(key)", key == "connections"
                ? "only applies to the open model; in the closed model each VU has its own connection"
                : "only applies to the open model (rate)")
        }
        let total: Int64
        if hasStages {
            if fields.present.contains("iterations") { r.report("load.iterations", "not allowed with stages") }
            guard !fields.closedStages.isEmpty, let sum = stagesTotal(fields.closedStages.map(\.durationNanos), r) else { return nil }
            total = sum
        } else if let duration = fields.durationNanos {
            total = duration
        } else if fields.iterations != nil {
            total = 600 * DurationText.nanosPerSecond
        } else {
            if !fields.present.contains("duration") && !fields.present.contains("iterations") {
                r.report("load", "a closed-model run needs \"duration\" or \"iterations\" (or stages)")
            }
            return nil
        }
        let vus = fields.vus ?? (hasStages ? 0 : 1)
        return .closed(ClosedLoad(vus: vus, durationNanos: total, iterations: fields.iterations, stages: fields.closedStages))
    }
}
