import Testing
@testable import LoadGate

@Suite("Open-model pacer and closed-model schedule")
struct PacerTests {
    static func open(rate: Double, seconds: Double, stages: [(Double, Double)] = []) -> OpenLoad {
        OpenLoad(rate: rate, durationNanos: Int64(seconds * 1e9),
                 stages: stages.map { OpenLoad.Stage(durationNanos: Int64($0.0 * 1e9), rate: $0.1) },
                 connections: 10, maxLatenessNanos: 10_000_000_000, tolerancePercent: 5)
    }

    @Test("a constant rate spaces intended starts evenly from time zero")
    func constantRate() {
        let pacer = OpenPacer(Self.open(rate: 200, seconds: 2))
        #expect(pacer.plannedIterations == 400)
        #expect(pacer.intendedStartNanos(of: 0) == 0)
        #expect(pacer.intendedStartNanos(of: 1) == 5_000_000)
        #expect(pacer.intendedStartNanos(of: 399) == 1_995_000_000)
        #expect(pacer.intendedStartNanos(of: 400) == nil)
    }

    @Test("iterations due by an elapsed time count the one at zero")
    func dueCounts() {
        let pacer = OpenPacer(Self.open(rate: 100, seconds: 1))
        #expect(pacer.dueIterations(atNanos: 0) == 1)
        #expect(pacer.dueIterations(atNanos: 9_999_999) == 1)
        #expect(pacer.dueIterations(atNanos: 10_000_000) == 2)
        #expect(pacer.dueIterations(atNanos: 5_000_000_000) == 100)
    }

    @Test("a linear ramp from 0 to 100/s over 10 s schedules 500 iterations, denser at the end")
    func ramp() {
        let pacer = OpenPacer(Self.open(rate: 0, seconds: 0, stages: [(10, 100)]))
        #expect(pacer.plannedIterations == 500)
        #expect(pacer.durationNanos == 10_000_000_000)
        // H(t) = 5 t², so iteration n is due at sqrt(n / 5) seconds.
        #expect(pacer.intendedStartNanos(of: 5) == 1_000_000_000)
        #expect(pacer.intendedStartNanos(of: 125) == 5_000_000_000)
        #expect(abs(pacer.rate(atNanos: 5_000_000_000) - 50) < 1e-9)
    }

    @Test("stages chain: a ramp then a plateau")
    func rampThenPlateau() {
        let pacer = OpenPacer(Self.open(rate: 0, seconds: 0, stages: [(2, 100), (3, 100)]))
        #expect(pacer.plannedIterations == 100 + 300)
        // The plateau starts at t = 2 s with iteration 100 and continues every 10 ms.
        #expect(pacer.intendedStartNanos(of: 100) == 2_000_000_000)
        #expect(pacer.intendedStartNanos(of: 150) == 2_500_000_000)
        // Intended starts never go backwards.
        var previous: Int64 = -1
        for n in 0..<pacer.plannedIterations {
            let start = pacer.intendedStartNanos(of: n)!
            #expect(start >= previous)
            previous = start
        }
    }

    @Test("the closed schedule ramps VUs linearly between stage targets")
    func closedStages() {
        let load = ClosedLoad(vus: 0, durationNanos: 20_000_000_000, iterations: nil,
                              stages: [.init(durationNanos: 10_000_000_000, vus: 50), .init(durationNanos: 10_000_000_000, vus: 10)])
        let schedule = ClosedSchedule(load)
        #expect(schedule.activeVUs(atNanos: 0) == 0)
        #expect(schedule.activeVUs(atNanos: 5_000_000_000) == 25)
        #expect(schedule.activeVUs(atNanos: 10_000_000_000) == 50)
        #expect(schedule.activeVUs(atNanos: 15_000_000_000) == 30)
        #expect(schedule.activeVUs(atNanos: 20_000_000_000) == 0)
        #expect(load.peakVUs == 50)
    }
}
