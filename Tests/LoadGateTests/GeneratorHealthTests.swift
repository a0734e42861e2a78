import Foundation
import Testing
@testable import LoadGate

/// The generator's findings are sentences a reviewer reads in every report: their wording is
/// checked exactly, for a busy generator and for a calm one.
@Suite("generator health findings")
struct GeneratorHealthTests {
    static func result(processCores: Double, workers: Int) -> RunResult {
        var result = RunResult(steps: [], lateness: Histogram.latencyMicros(), dropped: 0, iterationsStarted: 0, iterationsCompleted: 0,
                               aborted: 0, plannedIterations: nil, timeSeries: [], startedAt: Date(), endedAt: Date(),
                               elapsedNanos: 1_000_000_000, interrupted: false, workers: workers)
        result.generatorLoad = GeneratorLoad(processCores: processCores, machineIdlePercent: 50)
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
}
