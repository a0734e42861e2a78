import Foundation

/// Merges the run folders of a sharded test into one run, exactly: latency histograms are added
/// count by count from each shard's `latency.hlog` (so merged percentiles are those of all
/// requests, never an average of percentiles), other histograms from `totals.hlog`, counters by
/// sums, and time series second by second on the wall clock. The scenario's SLOs are then judged
/// on the merged data by the same `RunSummary.make` as a single run.
///
/// Refuses (as diagnostics, exit 2 at the command line) shards of different scenarios (digest),
/// of different shard counts, duplicated indices, and missing shards unless `allowPartial`, which
/// makes the verdict `invalid`.
public enum ShardMerge {
    public struct Outcome {
        public var scenario: Scenario
        public var summary: RunSummary
        /// The `merged` member of the merged `summary.json`.
        public var mergedMember: JSONValue
        /// Per-step latency histograms of the merged run (for `.hgrm` files in a bundle).
        public var latency: [Histogram] { summary.steps.map(\.metrics.latency) }
    }

    /// One input folder, read back.
    struct Folder {
        var path: String
        var summary: JSONValue
        var shard: ShardSpec
        var startedAt: Date
        var endedAt: Date
        var isMergedRun: Bool
    }

    /// Merges `paths` (shard run folders). `latencyOut`, when given, receives the merged
    /// `latency.hlog` (written atomically).
    public static func merge(paths: [String], allowPartial: Bool, scenarioFile: String?, environment: [String: String],
                             latencyOut: URL?) -> Result<Outcome, ValidationFailure> {
        var problems: [Diagnostic] = []
        var folders: [Folder] = []
        for path in paths {
            switch read(path) {
            case let .success(folder):
                if folder.isMergedRun {
                    problems.append(Diagnostic(file: path + "/summary.json", path: "merged", message: "already a merged run; merge the shard folders themselves"))
                } else if folder.summary["shard"] == nil || folder.summary["shard"] == .null {
                    problems.append(Diagnostic(file: path + "/summary.json", path: "shard", message: "not a shard run (run it with --shard I/N)"))
                } else {
                    folders.append(folder)
                }
            case let .failure(problem): problems.append(problem)
            }
        }
        if !problems.isEmpty { return .failure(ValidationFailure(problems)) }
        guard let first = folders.first else {
            return .failure(ValidationFailure([Diagnostic(file: "command line", path: "DIR", message: "give the shard run folders to merge")]))
        }
        let digest = first.summary.resolve(pointer: "/scenario/sha256")
        for folder in folders.dropFirst() where folder.summary.resolve(pointer: "/scenario/sha256") != digest {
            problems.append(Diagnostic(file: folder.path + "/summary.json", path: "scenario.sha256",
                                       message: "ran a different scenario (\(text(folder.summary.resolve(pointer: "/scenario/name"))) \(text(folder.summary.resolve(pointer: "/scenario/sha256")).prefix(12))) than \(first.path) (\(text(first.summary.resolve(pointer: "/scenario/name"))) \(text(digest).prefix(12))); shards of one test share one scenario file"))
        }
        let count = first.shard.count
        for folder in folders.dropFirst() where folder.shard.count != count {
            problems.append(Diagnostic(file: folder.path + "/summary.json", path: "shard.count",
                                       message: "is shard \(folder.shard.index)/\(folder.shard.count), but \(first.path) is one of \(count) shards"))
        }
        var seen: [Int: String] = [:]
        for folder in folders {
            if let other = seen[folder.shard.index] {
                problems.append(Diagnostic(file: folder.path + "/summary.json", path: "shard.index",
                                           message: "shard \(folder.shard.index) is given twice (also \(other))"))
            }
            seen[folder.shard.index] = folder.path
        }
        let missing = (0..<count).filter { seen[$0] == nil }
        if !missing.isEmpty && !allowPartial && problems.isEmpty {
            problems.append(Diagnostic(file: "command line", path: "DIR",
                                       message: "shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(count) missing; a verdict needs every shard (--allow-partial merges the rest with verdict invalid)"))
        }
        if !problems.isEmpty { return .failure(ValidationFailure(problems)) }
        return combine(folders.sorted { $0.shard.index < $1.shard.index }, expectedCount: count, missing: missing,
                       scenarioFile: scenarioFile, environment: environment, latencyOut: latencyOut)
    }

    /// Reads a merged run folder back (for `gate --merged`): the same reconstruction as the merge,
    /// with the verdict and reasons it recorded.
    public static func readMerged(path: String, scenarioFile: String?, environment: [String: String]) -> Result<Outcome, ValidationFailure> {
        switch read(path) {
        case let .failure(problem): return .failure(ValidationFailure([problem]))
        case let .success(folder):
            guard folder.isMergedRun else {
                return .failure(ValidationFailure([Diagnostic(file: path + "/summary.json", path: "merged", message: "not a merged run; create one with loadgate merge")]))
            }
            let result = combine([folder], expectedCount: 1, missing: [], scenarioFile: scenarioFile, environment: environment, latencyOut: nil)
            guard case var .success(outcome) = result else { return result }
            if case let .string(verdict)? = folder.summary["verdict"], let recorded = Verdict(rawValue: verdict) {
                outcome.summary.verdict = recorded
            }
            if case let .array(reasons)? = folder.summary["reasons"] {
                outcome.summary.reasons = reasons.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
            }
            outcome.mergedMember = folder.summary["merged"] ?? .null
            return .success(outcome)
        }
    }

    // MARK: - Reading a folder

    static func read(_ path: String) -> Result<Folder, Diagnostic> {
        let file = path + "/summary.json"
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(Diagnostic(file: file, path: "", message: "no such file; is \(path) a LoadGate run folder?"))
        }
        let summary: JSONValue
        do { summary = try JSONParser.parse(Array(data)) } catch {
            return .failure(Diagnostic(file: file, path: "", message: "line \(error.line), column \(error.column): \(error.message)"))
        }
        for required in ["/scenario/sha256", "/scenario/file", "/startedAt", "/endedAt", "/durationSeconds", "/steps"] where summary.resolve(pointer: required) == nil {
            return .failure(Diagnostic(file: file, path: String(required.dropFirst()).replacingOccurrences(of: "/", with: "."), message: "missing; not a LoadGate summary"))
        }
        guard let startedAt = date(summary["startedAt"]), let endedAt = date(summary["endedAt"]) else {
            return .failure(Diagnostic(file: file, path: "startedAt", message: "not an RFC 3339 time"))
        }
        let isMerged = summary["merged"] != nil && summary["merged"] != .null
        var shard = ShardSpec.single
        if case .object? = summary["shard"] {
            guard let index = int(summary.resolve(pointer: "/shard/index")), let count = int(summary.resolve(pointer: "/shard/count")),
                  count >= 1, (0..<count).contains(index) else {
                return .failure(Diagnostic(file: file, path: "shard", message: "index and count are not a shard I/N"))
            }
            shard = ShardSpec(index: index, count: count)
        }
        for log in [RunFolderFiles.latencyLog, RunFolderFiles.totalsLog] where !FileManager.default.fileExists(atPath: path + "/" + log) {
            return .failure(Diagnostic(file: path + "/" + log, path: "", message: "no such file; the run folder is incomplete (written by an older LoadGate?)"))
        }
        return .success(Folder(path: path, summary: summary, shard: shard, startedAt: startedAt, endedAt: endedAt, isMergedRun: isMerged))
    }

    // MARK: - Combining

    static func combine(_ folders: [Folder], expectedCount: Int, missing: [Int], scenarioFile: String?, environment: [String: String],
                        latencyOut: URL?) -> Result<Outcome, ValidationFailure> {
        let first = folders[0]
        let recordedFile = text(first.summary.resolve(pointer: "/scenario/file"))
        let file = scenarioFile ?? recordedFile
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader(environment: environment, allowUnsetEnvironment: true).load(path: file)
        } catch {
            return .failure(ValidationFailure(error.diagnostics.map { Diagnostic(file: $0.file, path: $0.path, message: $0.message + " (the scenario the shards ran; give it with --scenario if it moved)") }))
        }
        let digest = text(first.summary.resolve(pointer: "/scenario/sha256"))
        guard scenario.sha256 == digest else {
            return .failure(ValidationFailure([Diagnostic(file: file, path: "", message: "its SHA-256 \(scenario.sha256.prefix(12)) differs from the \(digest.prefix(12)) the shards ran; give the exact file with --scenario")]))
        }

        // Metric names, in order, from the first folder; every folder must agree.
        let names = stepNames(first.summary)
        for folder in folders.dropFirst() where stepNames(folder.summary) != names {
            return .failure(ValidationFailure([Diagnostic(file: folder.path + "/summary.json", path: "steps", message: "records other steps than \(first.path)")]))
        }
        var tagIndex: [String: Int] = [:]
        for (index, name) in names.enumerated() { tagIndex[IntervalLogWriter.tag(name)] = index }

        let base = folders.map(\.startedAt).min()!
        func offset(_ folder: Folder) -> Int { Int(folder.startedAt.timeIntervalSince(base).rounded()) }

        // Counters by sums; exact extrema and sums of the histograms from each summary.
        var steps = [StepMetrics](repeating: StepMetrics(), count: names.count)
        var extrema = [Extrema](repeating: Extrema(), count: names.count * 6)
        var latenessExtrema = Extrema()
        for folder in folders {
            guard case let .array(stepValues)? = folder.summary["steps"] else { continue }
            for (index, value) in stepValues.enumerated() where index < names.count {
                addCounters(value, into: &steps[index])
                for (kindIndex, key) in ["latency", "serviceTime", "ttfb", "connect", "tls", "dns"].enumerated() {
                    extrema[index * 6 + kindIndex].absorb(value[key])
                }
            }
            latenessExtrema.absorb(folder.summary["lateness"])
        }

        // Latency: every shard's intervals, merged second by second on the wall clock.
        var percentiles: [Int: SecondPercentiles] = [:]
        var latencyTotals = [Histogram](repeating: Histogram.latencyMicros(), count: names.count)
        do {
            let writer = try latencyOut.map { try IntervalLogWriter(url: $0, startedAt: base, tags: names) }
            try mergeIntervals(folders, base: base, tagIndex: tagIndex, metricCount: names.count, stepCount: scenario.steps.count) { snapshot in
                var second = SecondPercentiles()
                for (index, step) in snapshot.steps.enumerated() {
                    latencyTotals[index].merge(step.latency)
                    second.steps[index] = Triple(step.latency)
                }
                second.overall = Triple(snapshot.overall(stepCount: scenario.steps.count).latency)
                percentiles[snapshot.second] = second
                writer?.append(snapshot)
            }
            try writer?.finish()
        } catch let error as IntervalLogReader.ReadError {
            return .failure(ValidationFailure([Diagnostic(file: error.description, path: "", message: "cannot be merged")]))
        } catch {
            return .failure(ValidationFailure([Diagnostic(file: latencyOut?.path ?? "latency.hlog", path: "", message: "cannot be written: \(error.localizedDescription)")]))
        }

        // Other histograms and lateness: one interval per shard in totals.hlog.
        var lateness = Histogram.latencyMicros()
        for folder in folders {
            do {
                let reader = try IntervalLogReader(path: folder.path + "/" + RunFolderFiles.totalsLog)
                while let entry = try reader.next() {
                    guard let tag = entry.tag else { continue }
                    if tag == RunFolderFiles.latenessTag { lateness.merge(entry.histogram); continue }
                    guard let colon = tag.firstIndex(of: ":"), let index = tagIndex[String(tag[tag.index(after: colon)...])],
                          let kind = RunFolderFiles.totalKinds.first(where: { $0.prefix == tag[..<colon] }) else {
                        return .failure(ValidationFailure([Diagnostic(file: folder.path + "/" + RunFolderFiles.totalsLog, path: "Tag=\(tag)", message: "names no step of the scenario")]))
                    }
                    steps[index][keyPath: kind.keyPath].merge(entry.histogram)
                }
            } catch {
                return .failure(ValidationFailure([Diagnostic(file: error.description, path: "", message: "cannot be merged")]))
            }
        }
        for index in names.indices {
            steps[index].latency = latencyTotals[index]
            for (kindIndex, keyPath) in [\StepMetrics.latency, \.serviceTime, \.ttfb, \.connect, \.tls, \.dns].enumerated() {
                extrema[index * 6 + kindIndex].apply(to: &steps[index][keyPath: keyPath])
            }
        }
        latenessExtrema.apply(to: &lateness)

        // Time series: counters from the summaries, percentiles from the merged intervals.
        var overallSeries: [Int: TimeSeriesPoint] = [:]
        var stepSeries = [[Int: TimeSeriesPoint]](repeating: [:], count: names.count)
        for folder in folders {
            let shift = offset(folder)
            addSeries(folder.summary["timeseries"], shift: shift, into: &overallSeries)
            if case let .array(stepValues)? = folder.summary["steps"] {
                for (index, value) in stepValues.enumerated() where index < names.count {
                    addSeries(value["timeseries"], shift: shift, into: &stepSeries[index])
                }
            }
        }
        let lastSecond = max(overallSeries.keys.max() ?? -1, percentiles.keys.max() ?? -1)
        func series(_ points: [Int: TimeSeriesPoint], _ triple: (SecondPercentiles) -> Triple?) -> [TimeSeriesPoint] {
            guard lastSecond >= 0 else { return [] }
            return (0...lastSecond).map { second in
                var point = points[second] ?? TimeSeriesPoint(second: second, requests: 0, failures: 0)
                let values = percentiles[second].flatMap(triple)
                point.p50Micros = values?.p50
                point.p95Micros = values?.p95
                point.p99Micros = values?.p99
                return point
            }
        }

        var planned: Int64? = nil
        var result = RunResult(steps: steps, lateness: lateness, dropped: 0, iterationsStarted: 0, iterationsCompleted: 0, aborted: 0,
                               plannedIterations: nil, timeSeries: series(overallSeries, { $0.overall }), startedAt: base,
                               endedAt: folders.map(\.endedAt).max()!, elapsedNanos: 0, interrupted: false, workers: 0)
        result.stepTimeSeries = names.indices.map { index in series(stepSeries[index], { $0.steps[index] }) }
        var shardMembers: [JSONValue] = []
        var shardReasons: [String] = []
        for folder in folders {
            let summary = folder.summary
            result.dropped += int64(summary.resolve(pointer: "/totals/dropped"))
            result.aborted += int64(summary.resolve(pointer: "/totals/aborted"))
            result.iterationsStarted += int64(summary.resolve(pointer: "/load/achieved/iterationsStarted"))
            result.iterationsCompleted += int64(summary.resolve(pointer: "/load/achieved/iterationsCompleted"))
            result.workers += Int(int64(summary.resolve(pointer: "/load/workers")))
            if case let .number(iterations)? = summary.resolve(pointer: "/load/requested/iterations"), summary.resolve(pointer: "/load/model") == .string("open") {
                planned = (planned ?? 0) + Int64(iterations)
            }
            if summary["complete"] != .bool(true) { result.interrupted = true }
            if case let .number(created)? = summary.resolve(pointer: "/mcp/sessionsCreated") { result.mcpSessionsCreated += Int64(created) }
            if case let .number(deleted)? = summary.resolve(pointer: "/mcp/sessionsDeleted") { result.mcpSessionsDeleted += Int64(deleted) }
            let end = folder.startedAt.addingTimeInterval(number(summary["durationSeconds"]))
            result.elapsedNanos = max(result.elapsedNanos, clamped(end.timeIntervalSince(base) * 1e9))
            if summary["verdict"] == .string("invalid"), case let .array(reasons)? = summary["reasons"] {
                for case let .string(reason) in reasons where !reason.hasPrefix("SLO failed") {
                    shardReasons.append("shard \(folder.shard.index) of \(folder.shard.count): \(reason)")
                }
            }
            if folder.isMergedRun, case let .object(merged)? = summary["merged"] {
                shardMembers.append(.object(merged))
            } else {
                shardMembers.append(.object([
                    ("index", .number(Double(folder.shard.index))), ("folder", .string(folder.path)),
                    ("startAt", summary.resolve(pointer: "/shard/startAt") ?? .null), ("startedAt", summary["startedAt"] ?? .null),
                    ("verdict", summary["verdict"] ?? .null), ("complete", summary["complete"] ?? .null),
                    ("requests", summary.resolve(pointer: "/totals/requests") ?? .null),
                    ("dropped", summary.resolve(pointer: "/totals/dropped") ?? .null),
                    ("plannedIterations", summary.resolve(pointer: "/load/requested/iterations") ?? .null),
                    ("iterationsStarted", summary.resolve(pointer: "/load/achieved/iterationsStarted") ?? .null),
                    ("achievedRate", summary.resolve(pointer: "/load/achieved/rate") ?? .null),
                    ("lateness", summary["lateness"] ?? .null),
                    ("generator", summary["generator"] ?? .null),
                ]))
            }
        }
        result.plannedIterations = planned
        result.stepCount = scenario.steps.count
        result.metricNames = names

        var summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
        // The shards' own generator health: what each process measured, saturated if any one was.
        let saturatedReason = "the load generator was saturated: "
        summary.generator = generatorHealth(folders, computed: summary.generator)
        summary.reasons.removeAll { $0.hasPrefix(saturatedReason) }
        if summary.generator.saturated, !summary.reasons.contains(where: { $0.hasPrefix("the load generator was saturated and could account") }) {
            summary.reasons.append(saturatedReason + summary.generator.findings.joined(separator: "; "))
        }
        if !shardReasons.isEmpty || !missing.isEmpty {
            summary.verdict = .invalid
            var reasons = shardReasons
            if !missing.isEmpty {
                reasons.insert("partial merge: shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(expectedCount) missing, so the load was not what the scenario asked for", at: 0)
            }
            summary.reasons = reasons + summary.reasons.filter { !reasons.contains($0) }
        }
        let member: JSONValue = .object([
            ("count", .number(Double(expectedCount))),
            ("merged", .number(Double(folders.count))),
            ("partial", .bool(!missing.isEmpty)),
            ("missing", .array(missing.map { .number(Double($0)) })),
            ("shards", .array(shardMembers)),
        ])
        return .success(Outcome(scenario: scenario, summary: summary, mergedMember: member))
    }

    /// The generator's health over a sharded run, from each shard's `generator` (its process
    /// measured itself): CPU and workers summed, the lowest machine idle, the highest steal,
    /// dropped iterations summed, the open files of the shard closest to its limit, saturated if any shard was, with
    /// each shard's findings named by shard. Start lateness percentiles cannot be merged from
    /// summaries: each shard's stays in `merged.shards[].generator`.
    static func generatorHealth(_ folders: [Folder], computed: GeneratorHealth) -> GeneratorHealth {
        var health = computed
        var cpu = 0.0
        var idle: Double?
        var steal: Double?
        var findings: [String] = []
        var closestShare = -1.0
        for folder in folders {
            guard let generator = folder.summary["generator"], case .object = generator else { continue }
            cpu += number(generator["cpuPercent"])
            if case let .number(shardIdle)? = generator["machineIdlePercent"] { idle = min(idle ?? shardIdle, shardIdle) }
            if case let .number(shardSteal)? = generator["machineStealPercent"] { steal = max(steal ?? shardSteal, shardSteal) }
            let limit = number(generator.resolve(pointer: "/openFiles/limit")), peak = number(generator.resolve(pointer: "/openFiles/peak"))
            if limit > 0, peak / limit > closestShare {
                closestShare = peak / limit
                health.openFilesLimit = Int(limit)
                health.openFilesPeak = Int(peak)
            }
            if generator["saturated"] == .bool(true), case let .array(items)? = generator["findings"] {
                for case let .string(finding) in items { findings.append("shard \(folder.shard.index) of \(folder.shard.count): \(finding)") }
            }
        }
        health.cpuPercent = cpu
        health.machineIdlePercent = idle
        health.machineStealPercent = steal
        health.findings = findings
        health.saturated = !findings.isEmpty
        return health
    }

    /// Reads every folder's `latency.hlog` at once, in time order, and hands over each wall-clock
    /// second with all shards' intervals merged (one snapshot in memory at a time).
    static func mergeIntervals(_ folders: [Folder], base: Date, tagIndex: [String: Int], metricCount: Int, stepCount: Int,
                               onSecond: (IntervalSnapshot) -> Void) throws {
        let readers = try folders.map { try IntervalLogReader(path: $0.path + "/" + RunFolderFiles.latencyLog) }
        let baseSeconds = base.timeIntervalSince1970
        func key(_ entry: IntervalLogReader.Entry) -> Int { Int(clamped(entry.startSeconds - baseSeconds)) }
        var heads = try readers.map { try $0.next() }
        var previous = Int.min
        while let second = heads.compactMap({ $0.map(key) }).min() {
            guard second > previous else {
                throw IntervalLogReader.ReadError(description: "\(readers[heads.firstIndex { $0.map(key) == second }!].path): intervals are not in time order")
            }
            previous = second
            var snapshot = IntervalSnapshot(second: second, stepCount: metricCount)
            snapshot.spanNanos = 0
            for (readerIndex, reader) in readers.enumerated() {
                while let entry = heads[readerIndex], key(entry) == second {
                    guard let tag = entry.tag, let index = tagIndex[tag] else {
                        throw IntervalLogReader.ReadError(description: "\(reader.path): Tag=\(entry.tag ?? "(none)") names no step of the scenario")
                    }
                    var histogram = entry.histogram
                    histogram.restore(counts: histogram.counts, max: clamped(entry.maxColumn * 1_000))
                    snapshot.steps[index].latency.merge(histogram)
                    snapshot.spanNanos = max(snapshot.spanNanos, clamped(entry.lengthSeconds * 1e9))
                    heads[readerIndex] = try reader.next()
                }
            }
            onSecond(snapshot)
        }
    }

    // MARK: - Helpers

    struct Triple {
        var p50: Int64?
        var p95: Int64?
        var p99: Int64?
        init(_ histogram: Histogram) {
            p50 = histogram.value(atPercentile: 50)
            p95 = histogram.value(atPercentile: 95)
            p99 = histogram.value(atPercentile: 99)
        }
    }

    struct SecondPercentiles {
        var steps: [Int: Triple] = [:]
        var overall: Triple?
    }

    /// The exact min, max and sum of a histogram across shards, from their summaries (an
    /// encoding keeps counts by bucket, not the extremes or the sum).
    struct Extrema {
        var min: Int64?
        var max: Int64?
        var sum = 0.0
        var hasMean = true

        mutating func absorb(_ stats: JSONValue?) {
            guard let stats, let count = stats["count"].map(ShardMerge.number), count > 0 else { return }
            if case let .number(low)? = stats["min"] { let micros = clamped(low * 1e6); min = Swift.min(min ?? micros, micros) }
            if case let .number(high)? = stats["max"] { let micros = clamped(high * 1e6); max = Swift.max(max ?? micros, micros) }
            if case let .number(mean)? = stats["mean"] { sum += mean * 1e6 * count } else { hasMean = false }
        }

        func apply(to histogram: inout Histogram) {
            guard !histogram.isEmpty else { return }
            histogram.restore(counts: histogram.counts, min: min, max: max, sum: hasMean ? sum : nil)
        }
    }

    static func stepNames(_ summary: JSONValue) -> [String] {
        guard case let .array(steps)? = summary["steps"] else { return [] }
        return steps.map { text($0["name"]) }
    }

    static func addCounters(_ step: JSONValue, into metrics: inout StepMetrics) {
        metrics.requests += int64(step["requests"])
        metrics.failed += int64(step["failed"])
        metrics.bytesIn += int64(step["bytesIn"])
        metrics.bytesOut += int64(step["bytesOut"])
        if case let .object(failures)? = step["failures"] {
            for (name, value) in failures {
                if let failureClass = FailureClass.allCases.first(where: { $0.name == name }) { metrics.failures[failureClass.rawValue] += int64(value) }
            }
        }
        if case let .object(codes)? = step["statusCodes"] {
            for (code, value) in codes {
                if let status = Int(code), metrics.statusCodes.indices.contains(status) { metrics.statusCodes[status] += int64(value) }
            }
        }
        if case let .object(counters)? = step["counters"] {
            for (name, value) in counters {
                if let counter = ProtocolCounter.allCases.first(where: { $0.name == name }) { metrics.counters[counter.rawValue] += int64(value) }
            }
        }
    }

    static func addSeries(_ value: JSONValue?, shift: Int, into points: inout [Int: TimeSeriesPoint]) {
        guard case let .array(items)? = value else { return }
        for item in items {
            let second = Int(number(item["t"])) + shift
            let span = clamped(number(item["span"]) * 1e9)
            var point = points[second] ?? TimeSeriesPoint(second: second, spanNanos: 0, requests: 0, failures: 0)
            point.requests += int64(item["requests"])
            point.failures += int64(item["failures"])
            point.spanNanos = max(point.spanNanos, span)
            points[second] = point
        }
    }

    static func date(_ value: JSONValue?) -> Date? {
        guard case let .string(text)? = value else { return nil }
        return StartTime.parse(text)
    }

    static func text(_ value: JSONValue?) -> String {
        if case let .string(text)? = value { return text }
        return ""
    }

    /// A number from a shard's file (either JSON number form); 0 when absent or not finite.
    static func number(_ value: JSONValue?) -> Double {
        guard let number = value?.numberValue, number.isFinite else { return 0 }
        return number
    }

    /// A count from a shard's file: a file is input, so a value that does not fit (1e300) is
    /// clamped instead of trapping; counts near the clamp are refused elsewhere as inconsistent.
    static func int64(_ value: JSONValue?) -> Int64 { clamped(number(value)) }

    /// A value read from a shard's files, rounded and clamped into Int64 (`SafeNumber.clamped`).
    static func clamped(_ value: Double) -> Int64 { SafeNumber.clamped(value) }

    static func int(_ value: JSONValue?) -> Int? {
        guard let number = value?.numberValue, number == number.rounded(), abs(number) < 1e9 else { return nil }
        return Int(number)
    }
}
