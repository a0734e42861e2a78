import Testing
@testable import LoadGate

/// The scheduler's due / late / dropped decisions as tables: no clock, no connections.
@Suite("iteration scheduler")
struct IterationSchedulerTests {
    typealias Iteration = IterationScheduler.Iteration
    static let ms: Int64 = 1_000_000

    static func open(rate: Double, durationMs: Int64, maxLatenessMs: Int64, worker: Int = 0, workers: Int = 1,
                     warmupMs: Int64 = 0) -> IterationScheduler {
        let load = OpenLoad(rate: rate, durationNanos: durationMs * ms, stages: [], connections: 4,
                            maxLatenessNanos: maxLatenessMs * ms, tolerancePercent: 5)
        return IterationScheduler(load: .open(load), worker: worker, workers: workers, measureFromNanos: warmupMs * ms)
    }

    /// One question to the scheduler and the answer expected.
    struct Step {
        var atMs: Int64
        var free = true
        var decision: IterationScheduler.OpenDecision
    }

    static func it(_ number: Int64, intendedMs: Int64, lateMs: Int64, measured: Bool = true) -> Iteration {
        Iteration(number: number, intendedNanos: intendedMs * ms, latenessNanos: lateMs * ms, measured: measured)
    }

    @Test("open model at 10/s with 50 ms max lateness: start on time, start late, drop too late, wait for a connection, finish")
    func openTable() {
        var scheduler = Self.open(rate: 10, durationMs: 500, maxLatenessMs: 50)
        let table: [Step] = [
            Step(atMs: 0, decision: .start(Self.it(0, intendedMs: 0, lateMs: 0))),          // due now, on time
            Step(atMs: 0, decision: .wait(untilNanos: 100 * Self.ms)),                       // the next is 100 ms away
            Step(atMs: 120, decision: .start(Self.it(1, intendedMs: 100, lateMs: 20))),      // 20 ms late: started
            Step(atMs: 260, decision: .drop(Self.it(2, intendedMs: 200, lateMs: 60), connectionsBusy: false)),  // 60 > 50: dropped
            Step(atMs: 260, decision: .wait(untilNanos: 300 * Self.ms)),
            Step(atMs: 330, free: false, decision: .noConnection(Self.it(3, intendedMs: 300, lateMs: 30))),     // due, no connection
            Step(atMs: 340, free: true, decision: .start(Self.it(3, intendedMs: 300, lateMs: 40))),            // same one, now free
            Step(atMs: 460, free: false, decision: .drop(Self.it(4, intendedMs: 400, lateMs: 60), connectionsBusy: true)),
            Step(atMs: 900, decision: .finished),                                            // 5 planned, all decided
        ]
        for (index, step) in table.enumerated() {
            let decision = scheduler.nextOpen(elapsedNanos: step.atMs * Self.ms, connectionFree: step.free)
            #expect(decision == step.decision, "row \(index) at \(step.atMs) ms")
        }
    }

    static let us: Int64 = 1_000

    /// One pass of a worker: at `atUs` it starts every iteration due (as the loop does), then
    /// asks when its timer should wake it for the next pass.
    struct Pass {
        var atUs: Int64
        /// Iterations started in this pass: (number, intended start µs).
        var started: [(Int64, Int64)]
        var nextPassUs: Int64?
    }

    static func runPasses(_ scheduler: inout IterationScheduler, _ table: [Pass]) {
        var lastStartPass: Int64?
        for (index, pass) in table.enumerated() {
            let elapsed = pass.atUs * us
            var started: [Iteration] = []
            // As the worker's loop: a turn between passes (woken by a socket) starts nothing.
            let passDue = scheduler.passDue(elapsedNanos: elapsed, lastStartPassNanos: lastStartPass, waitingForConnection: false)
            while passDue, case let .start(iteration) = scheduler.nextOpen(elapsedNanos: elapsed, connectionFree: true) {
                started.append(iteration)
                lastStartPass = elapsed
            }
            #expect(started.map(\.number) == pass.started.map(\.0), "row \(index): which iterations start")
            #expect(started.map(\.intendedNanos) == pass.started.map { $0.1 * us }, "row \(index): intended starts kept")
            #expect(started.map(\.latenessNanos) == pass.started.map { elapsed - $0.1 * us }, "row \(index): lateness from the intended start")
            #expect(scheduler.nextPassNanos(lastStartPassNanos: lastStartPass) == pass.nextPassUs.map { $0 * us }, "row \(index): next pass")
        }
    }

    /// Iterations `first...last` of a 20,000/s schedule (one every 50 µs): (number, intended µs).
    static func every50us(_ first: Int64, _ last: Int64) -> [(Int64, Int64)] { (first...last).map { ($0, $0 * 50) } }

    @Test("open model at 20,000/s: one pass every 700 µs starts the iterations due in that window, each keeping its intended start")
    func openBatchesAtHighRate() {
        var scheduler = Self.open(rate: 20_000, durationMs: 2, maxLatenessMs: 50)
        Self.runPasses(&scheduler, [
            Pass(atUs: 0, started: Self.every50us(0, 0), nextPassUs: 700),        // next due at 50 µs, woken at 700
            Pass(atUs: 700, started: Self.every50us(1, 14), nextPassUs: 1_400),
            Pass(atUs: 1_410, started: Self.every50us(15, 28), nextPassUs: 2_110),  // a late wake-up moves the window
            Pass(atUs: 1_600, started: [], nextPassUs: 2_110),                      // woken by a socket: nothing starts
            Pass(atUs: 2_110, started: Self.every50us(29, 39), nextPassUs: nil),    // 40 planned, all started
        ])
    }

    @Test("a worker batches while its iterations are due less than a window apart; at 1,000/s it does not")
    func batching() {
        #expect(Self.open(rate: 20_000, durationMs: 10, maxLatenessMs: 50).isBatching)
        #expect(Self.open(rate: 4_000, durationMs: 10, maxLatenessMs: 50).isBatching)
        #expect(Self.open(rate: 1_500, durationMs: 10, maxLatenessMs: 50).isBatching)
        #expect(!Self.open(rate: 1_000, durationMs: 10, maxLatenessMs: 50).isBatching)
        // Two workers share 2,000/s: each sees one every 1,000 µs, not less than the window apart.
        #expect(!Self.open(rate: 2_000, durationMs: 10, maxLatenessMs: 50, worker: 0, workers: 2).isBatching)
        #expect(Self.open(rate: 2_000, durationMs: 10, maxLatenessMs: 50, worker: 0, workers: 1).isBatching)
    }

    @Test("between passes nothing starts, except an iteration already waiting for a connection (the target's lateness)")
    func passGate() {
        var scheduler = Self.open(rate: 20_000, durationMs: 2, maxLatenessMs: 50)
        guard case .start = scheduler.nextOpen(elapsedNanos: 0, connectionFree: true) else {
            Issue.record("iteration 0 did not start at 0")
            return
        }
        // Iteration 1 is due at 50 µs; the next pass is at 700 µs.
        #expect(!scheduler.passDue(elapsedNanos: 200 * Self.us, lastStartPassNanos: 0, waitingForConnection: false))
        #expect(scheduler.passDue(elapsedNanos: 200 * Self.us, lastStartPassNanos: 0, waitingForConnection: true))
        #expect(!scheduler.passDue(elapsedNanos: 699 * Self.us, lastStartPassNanos: 0, waitingForConnection: false))
        #expect(scheduler.passDue(elapsedNanos: 700 * Self.us, lastStartPassNanos: 0, waitingForConnection: false))
        // Nothing started yet: the first due iteration starts when due.
        var fresh = Self.open(rate: 20_000, durationMs: 2, maxLatenessMs: 50)
        #expect(fresh.passDue(elapsedNanos: 0, lastStartPassNanos: nil, waitingForConnection: false))
        _ = fresh.nextOpen(elapsedNanos: 0, connectionFree: true)
        // At a low rate the window never delays a start: the next pass is the next intended start.
        var slow = Self.open(rate: 100, durationMs: 100, maxLatenessMs: 50)
        _ = slow.nextOpen(elapsedNanos: 0, connectionFree: true)
        #expect(slow.passDue(elapsedNanos: 10_000 * Self.us, lastStartPassNanos: 0, waitingForConnection: false))
        #expect(!slow.passDue(elapsedNanos: 9_999 * Self.us, lastStartPassNanos: 0, waitingForConnection: false))
    }

    @Test("open model at 1,000/s: nothing is batched, the timer wakes the worker at each intended start")
    func openDoesNotBatchAtLowRate() {
        var scheduler = Self.open(rate: 1_000, durationMs: 3, maxLatenessMs: 50)
        Self.runPasses(&scheduler, [
            Pass(atUs: 0, started: [(0, 0)], nextPassUs: 1_000),
            Pass(atUs: 1_000, started: [(1, 1_000)], nextPassUs: 2_000),
            Pass(atUs: 1_100, started: [], nextPassUs: 2_000),                                   // a socket woke it: nothing due
            Pass(atUs: 2_000, started: [(2, 2_000)], nextPassUs: nil),
        ])
    }

    @Test("the batch window never exceeds a quarter of maxLateness, so batching alone drops nothing")
    func batchWindowBoundedByMaxLateness() {
        var tight = Self.open(rate: 20_000, durationMs: 1, maxLatenessMs: 0)
        #expect(tight.batchWindowNanos == 0)
        Self.runPasses(&tight, [Pass(atUs: 0, started: [(0, 0)], nextPassUs: 50)])
        let load = OpenLoad(rate: 20_000, durationNanos: Self.ms, stages: [], connections: 4, maxLatenessNanos: 400 * Self.us, tolerancePercent: 5)
        let bounded = IterationScheduler(load: .open(load), worker: 0, workers: 1, measureFromNanos: 0)
        #expect(bounded.batchWindowNanos == 100 * Self.us)
        #expect(Self.open(rate: 20_000, durationMs: 1, maxLatenessMs: 50).batchWindowNanos == IterationScheduler.batchWindowNanos)
    }

    @Test("two workers share the open schedule round-robin: worker 1 gets the odd iterations")
    func openWorkers() {
        var scheduler = Self.open(rate: 10, durationMs: 500, maxLatenessMs: 1000, worker: 1, workers: 2)
        var numbers: [Int64] = []
        while case let .start(iteration) = scheduler.nextOpen(elapsedNanos: 1000 * Self.ms, connectionFree: true) { numbers.append(iteration.number) }
        #expect(numbers == [1, 3])
    }

    @Test("warm-up iterations are started but not measured")
    func openWarmup() {
        var scheduler = Self.open(rate: 10, durationMs: 300, maxLatenessMs: 1000, warmupMs: 150)
        var measured: [Bool] = []
        while case let .start(iteration) = scheduler.nextOpen(elapsedNanos: 1000 * Self.ms, connectionFree: true) { measured.append(iteration.measured) }
        #expect(measured == [false, false, true])
    }

    @Test("closed model: an iteration budget is shared and spent, VUs above the active count wait, nothing after the duration")
    func closedTable() {
        let load = ClosedLoad(vus: 2, durationNanos: 1000 * Self.ms, iterations: 3, stages: [])
        var scheduler = IterationScheduler(load: .closed(load), worker: 0, workers: 1, measureFromNanos: 0)
        #expect(scheduler.nextClosed(vu: 3, elapsedNanos: 0) == nil, "VU 3 is not active with 2 VUs")
        #expect(scheduler.nextClosed(vu: 1, elapsedNanos: 0)?.number == 0)
        #expect(scheduler.nextClosed(vu: 2, elapsedNanos: 0)?.number == 1)
        #expect(scheduler.closedIssuing(elapsedNanos: 10 * Self.ms))
        #expect(scheduler.nextClosed(vu: 1, elapsedNanos: 10 * Self.ms)?.number == 2)
        #expect(scheduler.nextClosed(vu: 2, elapsedNanos: 20 * Self.ms) == nil, "the budget of 3 is spent")
        #expect(!scheduler.closedIssuing(elapsedNanos: 20 * Self.ms))

        var unbounded = IterationScheduler(load: .closed(ClosedLoad(vus: 2, durationNanos: 100 * Self.ms, iterations: nil, stages: [])),
                                           worker: 1, workers: 2, measureFromNanos: 50 * Self.ms)
        #expect(unbounded.nextClosed(vu: 2, elapsedNanos: 0) == Iteration(number: 1, intendedNanos: 0, latenessNanos: 0, measured: false))
        #expect(unbounded.nextClosed(vu: 2, elapsedNanos: 60 * Self.ms)?.measured == true)
        #expect(unbounded.nextClosed(vu: 2, elapsedNanos: 100 * Self.ms) == nil, "the duration is over")
    }

    @Test("closed model with stages: VUs become active as the ramp reaches them")
    func closedStages() {
        let load = ClosedLoad(vus: 0, durationNanos: 1000 * Self.ms, iterations: nil,
                              stages: [ClosedLoad.Stage(durationNanos: 1000 * Self.ms, vus: 10)])
        var scheduler = IterationScheduler(load: .closed(load), worker: 0, workers: 1, measureFromNanos: 0)
        #expect(scheduler.closedHasStages)
        #expect(scheduler.nextClosed(vu: 5, elapsedNanos: 400 * Self.ms) == nil, "4 VUs at 40% of the ramp")
        #expect(scheduler.nextClosed(vu: 5, elapsedNanos: 500 * Self.ms) != nil)
    }
}
