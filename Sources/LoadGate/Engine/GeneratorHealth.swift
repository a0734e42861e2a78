/// The load generator's own state over a run, reported with every run so that a reader can tell
/// the target's latency from the generator's: start lateness, process CPU against its workers,
/// machine idle, the hypervisor's steal, dropped iterations and file descriptors. `saturated` says
/// the generator, not the target, may have shaped the numbers; `findings` say how, one sentence each.
public struct GeneratorHealth: Sendable {
    /// Start lateness the generator caused itself (iterations late although a connection was
    /// free); waits for connections busy on the target are the target's and are not in here.
    public var lateness: Histogram
    /// Process CPU over the run, in percent of one core (200 = two cores busy).
    public var cpuPercent: Double
    public var workers: Int
    public var machineIdlePercent: Double?
    /// Share of the machine's CPU time stolen by the hypervisor during the run (`GeneratorLoad`).
    public var machineStealPercent: Double?
    /// Iterations dropped while a connection was free (the generator fell behind).
    public var dropped: Int64
    public var openFilesLimit: Int
    public var openFilesPeak: Int
    public var saturated: Bool
    public var findings: [String]
    /// "native" or "libcurl", and the reason it was chosen (`HTTPEngineChoice`).
    public var httpEngine: String?
    public var httpEngineReason: String?

    /// CPU at or above this share of the workers' cores means the event loops had no slack.
    public static let cpuSaturationShare = 0.9
    /// Machine idle below this percent means other work competed with the generator for CPU.
    public static let machineBusyIdlePercent = 10.0
    /// Steal from this percent of the machine's CPU time: as much of the run as a p99 leaves out
    /// may have been spent with the generator's VM frozen, so lateness and latency tails may be
    /// the hypervisor's, not the target's.
    public static let machineStealFindingPercent = 1.0

    /// A steal share as every output writes it: one decimal ("2.1%").
    public static func stealText(_ percent: Double) -> String { "\(DurationText.trim((percent * 10).rounded() / 10))%" }
    /// Start lateness (with a connection free) at p99 from which the generator counts as behind.
    public static let latenessFindingMicros: Int64 = 50_000

    public init(result: RunResult) {
        lateness = result.generatorLateness
        cpuPercent = (result.generatorLoad?.processCores ?? 0) * 100
        workers = result.workers
        machineIdlePercent = result.generatorLoad?.machineIdlePercent
        machineStealPercent = result.generatorLoad?.machineStealPercent
        dropped = result.dropped
        openFilesLimit = result.openFilesLimit
        openFilesPeak = result.openFilesPeak
        httpEngine = result.httpEngine?.engine.rawValue
        httpEngineReason = result.httpEngine?.reason
        var findings: [String] = []
        let cpuBound = cpuPercent >= Self.cpuSaturationShare * Double(max(workers, 1)) * 100
        if cpuBound {
            findings.append("LoadGate used \(DurationText.trim(cpuPercent.rounded()))% CPU with \(workers) worker thread(s): its event loops were saturated")
        }
        if let idle = machineIdlePercent, idle < Self.machineBusyIdlePercent {
            findings.append("the machine running LoadGate was CPU-saturated (\(DurationText.trim((idle * 10).rounded() / 10))% idle): other processes competed with the generator")
        }
        if let steal = machineStealPercent, steal >= Self.machineStealFindingPercent {
            findings.append("the hypervisor withheld \(Self.stealText(steal)) of this machine's CPU time during the run (steal): the generator's VM stalled, and latency and start lateness tails may be those stalls")
        }
        if let p99 = lateness.value(atPercentile: 99), p99 >= Self.latenessFindingMicros {
            findings.append("the generator started iterations late with connections free: start lateness p99 \(DurationText.format(nanos: p99 * 1_000))")
        }
        if dropped > 0 {
            findings.append("\(dropped) iteration(s) were dropped while connections were free: the generator could not start them in time")
        }
        if openFilesLimit > 0, Double(openFilesPeak) >= 0.9 * Double(openFilesLimit) {
            findings.append("open files peaked at \(openFilesPeak) of the limit \(openFilesLimit)")
        }
        self.findings = findings
        saturated = !findings.isEmpty
    }

    /// Why the generator's distortion could have changed a latency verdict, or nil. Its own delays
    /// only ever add latency, so a passed latency SLO stands. A failed one (on the corrected
    /// latency) is in doubt when the generator's event loops were saturated, or when its own start
    /// lateness at p99 is a tenth or more of the observed value and the same SLO judged on service
    /// time (`holdsOnServiceTime`) would have passed.
    public func distortionReason(_ slos: [SLOResult], expressions: [SLOExpression],
                                 holdsOnServiceTime: (SLOExpression) -> Bool) -> String? {
        guard saturated else { return nil }
        let cpuBound = cpuPercent >= Self.cpuSaturationShare * Double(max(workers, 1)) * 100
        let latenessP99Seconds = lateness.value(atPercentile: 99).map { Double($0) / 1e6 } ?? 0
        for (slo, expression) in zip(slos, expressions) where !slo.passed {
            guard case .latency(.latency, _) = expression.metric, let observed = slo.observed else { continue }
            if cpuBound || (latenessP99Seconds >= 0.1 * observed && holdsOnServiceTime(expression)) {
                return "the load generator was saturated and could account for the failed latency SLO \"\(slo.expression)\" (start lateness p99 \(DurationText.format(nanos: Int64(latenessP99Seconds * 1e9)))); the latency verdict is not trustworthy: \(findings.joined(separator: "; "))"
            }
        }
        return nil
    }
}
