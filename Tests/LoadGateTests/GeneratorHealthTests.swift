import Foundation
import Testing
@testable import LoadGate

/// The generator's findings are sentences a reviewer reads in every report: their wording is
/// checked exactly, for a busy generator and for a calm one.
@Suite("generator health findings")
struct GeneratorHealthTests {
    static func result(processCores: Double, workers: Int, stealPercent: Double? = nil) -> RunResult {
        var result = RunResult(steps: [], lateness: Histogram.latencyMicros(), dropped: 0, iterationsStarted: 0, iterationsCompleted: 0,
                               aborted: 0, plannedIterations: nil, timeSeries: [], startedAt: Date(), endedAt: Date(),
                               elapsedNanos: 1_000_000_000, interrupted: false, workers: workers)
        result.generatorLoad = GeneratorLoad(processCores: processCores, machineIdlePercent: 50, machineStealPercent: stealPercent)
        return result
    }

    @Test("a saturated worker is named with its CPU share, in a well-formed sentence")
    func saturatedWording() {
        let health = GeneratorHealth(result: Self.result(processCores: 0.986, workers: 1))
        #expect(health.saturated)
        #expect(health.findings == ["LoadGate used 99% CPU with 1 worker thread(s): its event loops were saturated"])
    }

    @Test("the twin: a generator with slack has no finding and is not saturated")
    func calm() {
        let health = GeneratorHealth(result: Self.result(processCores: 0.4, workers: 1))
        #expect(!health.saturated)
        #expect(health.findings.isEmpty)
    }

    @Test("a VM whose hypervisor withheld 2.1% of its CPU time is a finding: tails may be the VM's own stalls")
    func stealWording() {
        let health = GeneratorHealth(result: Self.result(processCores: 0.4, workers: 1, stealPercent: 2.125))
        #expect(health.saturated)
        #expect(health.findings == ["the hypervisor withheld 2.1% of this machine's CPU time during the run (steal): the generator's VM stalled, and latency and start lateness tails may be those stalls"])
        let json = SummaryJSON.generator(health)
        #expect(json["machineStealPercent"] == .number(2.125))
    }

    @Test("the twin: steal below 1% of the CPU time, or none, or unknown, is no finding")
    func littleSteal() {
        for steal in [0.0, 0.9, nil] {
            let health = GeneratorHealth(result: Self.result(processCores: 0.4, workers: 1, stealPercent: steal))
            #expect(!health.saturated, "\(String(describing: steal))")
            #expect(health.findings.isEmpty)
        }
    }

    @Test("/proc/stat's cpu line gives idle (with iowait), total (user..steal) and steal; a kernel without steal gives none")
    func procStatLine() {
        let times = GeneratorLoad.Sample.times(procStatLine: "cpu  100 5 50 800 20 1 2 30 0 0")
        #expect(times?.idle == 820)
        #expect(times?.total == 1008)
        #expect(times?.steal == 30)
        let old = GeneratorLoad.Sample.times(procStatLine: "cpu  100 5 50 800 20")
        #expect(old?.steal == nil && old?.total == 975)
        #expect(GeneratorLoad.Sample.times(procStatLine: "cpu  1 2") == nil)
    }
}
