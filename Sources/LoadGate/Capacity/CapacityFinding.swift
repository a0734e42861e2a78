import Foundation

/// What a capacity search proved, in words that claim no more than that: an exact bracket, a
/// lower bound (and who set it), or "no breach up to the ceiling"; and advice that follows the
/// cause measured at the generator-limited step (busy connections → more connections; CPU → more
/// workers or shards). One home for this wording: terminal table, capacity.json and capacity.html.
public struct CapacityFinding: Sendable, Equatable {
    public enum Cause: String, Sendable {
        /// Iterations waited for a free connection while the generator's CPU had room.
        case connections
        /// LoadGate's own workers used (nearly) all their cores.
        case processCPU = "process-cpu"
        /// The machine running LoadGate had no idle CPU left.
        case machineCPU = "machine-cpu"
    }

    /// The heading after "Capacity ": "≥ 400/s: lower bound, the generator was the limit".
    public var title: String
    /// The full sentence for the terminal and capacity.json, starting "capacity: ".
    public var headline: String
    public var cause: Cause?
    public var advice: String?

    /// The inputs, as plain values so the finding can be derived from a result or a capacity.json.
    public struct Step: Sendable {
        public var offered: Double
        public var outcome: String
        public var processCores: Double
        public var workers: Int
        public var machineIdlePercent: Double?
        public var dropped: Int

        public init(offered: Double, outcome: String, processCores: Double, workers: Int, machineIdlePercent: Double?, dropped: Int) {
            self.offered = offered
            self.outcome = outcome
            self.processCores = processCores
            self.workers = workers
            self.machineIdlePercent = machineIdlePercent
            self.dropped = dropped
        }
    }

    public init(_ result: CapacityResult) {
        self.init(ending: result.ending.rawValue, capacity: result.capacity, from: result.settings.from, to: result.settings.to,
                  precision: result.settings.precision, connections: result.settings.connections,
                  steps: result.steps.map { step in
                      Step(offered: step.offered, outcome: CapacityReport.name(step.outcome), processCores: step.generator.processCores,
                           workers: step.summary.result.workers, machineIdlePercent: step.generator.machineIdlePercent,
                           dropped: Int(step.summary.result.dropped))
                  })
    }

    public init(ending: String, capacity: Double?, from: Double, to: Double, precision: Double, connections: Int, steps: [Step]) {
        let rate = { (value: Double) in DurationText.trim(value) + "/s" }
        let limited = steps.filter { $0.outcome == "generator-limited" }.min { $0.offered < $1.offered }
        let lowestFailing = steps.filter { $0.outcome == "failed" }.map(\.offered).min()
        switch ending {
        case "converged":
            title = "\(capacity.map(rate) ?? "-"): met every SLO" + (lowestFailing.map { "; \(rate($0)) did not" } ?? "")
            headline = "capacity: \(capacity.map(rate) ?? "-") offered met every SLO" + (lowestFailing.map { "; \(rate($0)) breached them (precision \(JSONWriter.format(precision * 100))%)" } ?? "")
        case "ceiling":
            title = "≥ \(rate(to)): no breach up to the \(rate(to)) ceiling"
            headline = "capacity: at least \(rate(to)): no SLO breach up to the \(rate(to)) ceiling (raise --to to search further)"
        case "below-from":
            title = "< \(rate(from)): the lowest rate tried already breached the SLOs"
            headline = "capacity: below \(rate(from)): the lowest rate tried already breached the SLOs (lower --from)"
        case "generator-limited":
            let at = limited.map { " at \(rate($0.offered))" } ?? ""
            if let capacity {
                title = "≥ \(rate(capacity)): lower bound, the generator was the limit"
                headline = "capacity: at least \(rate(capacity)) (lower bound): the generator, not the target, was the limit\(at)"
            } else {
                title = "not proven: the generator was the limit\(at)"
                headline = "capacity: no lower bound proven: the generator, not the target, was the limit\(at)"
            }
        case "interrupted":
            title = capacity.map { "≥ \(rate($0)): lower bound, the search was interrupted" } ?? "not proven: the search was interrupted"
            headline = "capacity: " + (capacity.map { "at least \(rate($0)) (lower bound)" } ?? "no lower bound proven") + ": the search was interrupted"
        default:
            title = capacity.map { "≥ \(rate($0)): lower bound, the search ran out of time" } ?? "not proven: the search ran out of time"
            headline = "capacity: " + (capacity.map { "at least \(rate($0)) (lower bound)" } ?? "no lower bound proven") + ": the search ran out of time (--max-time)"
        }
        guard let limited else {
            cause = nil
            advice = ending == "ceiling" ? "raise --to to find where the SLOs break" : nil
            return
        }
        let cpuPercent = DurationText.trim(limited.processCores * 100)
        if let idle = limited.machineIdlePercent, idle < 10 {
            cause = .machineCPU
            advice = "the machine running LoadGate had \(DurationText.trim(idle))% CPU idle at \(rate(limited.offered)): run LoadGate on a machine with free cores, or shard the load across several machines"
        } else if limited.processCores >= 0.9 * Double(max(limited.workers, 1)) {
            cause = .processCPU
            advice = "LoadGate's \(limited.workers) worker\(limited.workers == 1 ? "" : "s") used \(cpuPercent)% CPU (saturated) at \(rate(limited.offered)): add workers (--workers) if the machine has idle cores, or shard the load across machines"
        } else {
            cause = .connections
            advice = "at \(rate(limited.offered)) requests waited for one of the \(connections) connections while LoadGate used only \(cpuPercent)% CPU: raise --connections"
        }
    }
}
