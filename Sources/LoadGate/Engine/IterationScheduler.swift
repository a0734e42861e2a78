/// When a worker starts iterations, as a value type that never reads a clock or touches a
/// connection (the worker asks, then carries out the answer; the decisions are tested with a
/// table in `IterationSchedulerTests`).
///
/// Open model: iteration n of the shared schedule is intended at `OpenPacer.intendedStartNanos(n)`;
/// this worker owns n = id, id + workers, ... An iteration is started when due and a connection is
/// free; one later than `maxLateness` is dropped. Closed model: a free virtual user starts its next
/// iteration while it is active (stages), the duration lasts and the shared iteration budget
/// (this worker's share of it) is not spent.
struct IterationScheduler {
    /// One iteration to start (or drop).
    struct Iteration: Equatable {
        /// Global iteration number (`${iteration}`), unique across workers.
        var number: Int64
        /// Intended start, nanoseconds since the run start (closed model: when it was asked).
        var intendedNanos: Int64
        var latenessNanos: Int64
        /// False during warm-up: run, not measured.
        var measured: Bool
    }

    enum OpenDecision: Equatable {
        /// Start this iteration now on a free connection.
        case start(Iteration)
        /// More than `maxLateness` late: skip it (`connectionsBusy`: no connection was free).
        case drop(Iteration, connectionsBusy: Bool)
        /// Due, but every connection is busy: ask again when one is free.
        case noConnection(Iteration)
        /// Nothing is due before this elapsed time.
        case wait(untilNanos: Int64)
        /// The schedule has no more iterations for this worker.
        case finished
    }

    private let worker: Int64
    private let workers: Int64
    private let measureFromNanos: Int64
    private let pacer: OpenPacer?
    private let maxLatenessNanos: Int64
    private let closed: ClosedSchedule?
    private let closedBudget: Int64?
    /// Open model: the next iteration of this worker's share of the schedule.
    private var nextOpen: Int64
    /// Closed model: iterations this worker started.
    private var closedStarted: Int64 = 0

    init(load: LoadModel, worker: Int, workers: Int, measureFromNanos: Int64) {
        self.worker = Int64(worker)
        self.workers = Int64(workers)
        self.measureFromNanos = measureFromNanos
        nextOpen = Int64(worker)
        switch load {
        case let .open(open):
            pacer = OpenPacer(open)
            maxLatenessNanos = open.maxLatenessNanos
            closed = nil
            closedBudget = nil
        case let .closed(closedLoad):
            pacer = nil
            maxLatenessNanos = 0
            closed = ClosedSchedule(closedLoad)
            closedBudget = closedLoad.iterations.map { Int64(RunPlan.share(of: $0, worker: worker, of: workers)) }
        }
    }

    var isOpen: Bool { pacer != nil }

    // MARK: Open model

    /// What to do about the next due iteration at `elapsedNanos`. `.start` and `.drop` consume
    /// the iteration; ask again until the answer is `.wait`, `.noConnection` or `.finished`.
    mutating func nextOpen(elapsedNanos: Int64, connectionFree: Bool) -> OpenDecision {
        guard let pacer, let intended = pacer.intendedStartNanos(of: nextOpen) else { return .finished }
        if intended > elapsedNanos { return .wait(untilNanos: intended) }
        let iteration = Iteration(number: nextOpen, intendedNanos: intended, latenessNanos: elapsedNanos - intended,
                                  measured: intended >= measureFromNanos)
        if iteration.latenessNanos > maxLatenessNanos {
            nextOpen += workers
            return .drop(iteration, connectionsBusy: !connectionFree)
        }
        guard connectionFree else { return .noConnection(iteration) }
        nextOpen += workers
        return .start(iteration)
    }

    /// Consumes the next open-model iteration if it is due at `elapsedNanos`, whatever the
    /// connections (the run is being cut: what is due and unstarted is accounted for).
    mutating func takeDue(elapsedNanos: Int64) -> Iteration? {
        guard let pacer, let intended = pacer.intendedStartNanos(of: nextOpen), intended <= elapsedNanos else { return nil }
        defer { nextOpen += workers }
        return Iteration(number: nextOpen, intendedNanos: intended, latenessNanos: elapsedNanos - intended,
                         measured: intended >= measureFromNanos)
    }

    /// Intended start of the next open-model iteration (nil: none left, or a closed model).
    var nextIntendedNanos: Int64? { pacer?.intendedStartNanos(of: nextOpen) }

    /// Open model at high rates: a pass starts every iteration due by then, and the worker's timer
    /// wakes it no sooner than this after the last pass that started one, so iterations due within
    /// one window start together (one timer, one poll, one perform per pass, not per request).
    /// Each keeps its intended start: the wait is its lateness and part of its latency. Below
    /// 1 / window per second (about 1,430/s per worker) the next start is later than the window anyway
    /// and nothing is batched. 700 µs spends 70% of a 1 ms lateness budget (start lateness p99 at
    /// 20,000/s: 0.72 ms, with the worker's 1 µs timer slack and a pass that sends before it reads
    /// the responses it deferred; 0.81 ms when it read first): each pass costs about 45 µs of CPU
    /// on the 2-core CI VM (the worker's and, on loopback, the target's wake-up, and cold caches),
    /// so against 500 µs it cut the CPU per request at 20,000/s by about 5% (13.65 -> 12.98 µs,
    /// median of 5), and 500 µs had cut it by a fifth against 250 µs.
    static let batchWindowNanos: Int64 = 700_000

    /// The window in force: never more than a quarter of `maxLateness`, so batching alone never
    /// drops an iteration.
    var batchWindowNanos: Int64 { min(Self.batchWindowNanos, maxLatenessNanos / 4) }

    /// Open model: when (elapsed) the worker's timer should wake it for the next pass, given when
    /// the last pass that started an iteration ran (nil: none yet). The next intended start, but
    /// not sooner than one batch window after that pass. Nil when nothing is left to start.
    func nextPassNanos(lastStartPassNanos: Int64?) -> Int64? {
        guard let intended = nextIntendedNanos else { return nil }
        guard let lastStartPassNanos else { return intended }
        return max(intended, lastStartPassNanos + batchWindowNanos)
    }

    /// Open model: true while this worker's iterations are due less than one batch window apart
    /// (its passes then start several at a time).
    var isBatching: Bool {
        guard let pacer, let next = pacer.intendedStartNanos(of: nextOpen),
              let after = pacer.intendedStartNanos(of: nextOpen + workers) else { return false }
        return after - next < batchWindowNanos
    }

    /// Open model: true when a pass may start iterations at `elapsedNanos`. Between passes a loop
    /// turn woken by a socket starts nothing (else every response would start the one or two
    /// iterations due meanwhile, one wake-up of the target each, and the batch would be lost),
    /// unless the head iteration is waiting for a connection: that one is already late on the
    /// target's account and starts as soon as a connection frees.
    func passDue(elapsedNanos: Int64, lastStartPassNanos: Int64?, waitingForConnection: Bool) -> Bool {
        if waitingForConnection { return true }
        guard let pass = nextPassNanos(lastStartPassNanos: lastStartPassNanos) else { return true }
        return elapsedNanos >= pass
    }

    // MARK: Closed model

    /// True while the closed model may still start iterations at `elapsedNanos`.
    func closedIssuing(elapsedNanos: Int64) -> Bool {
        guard let closed else { return false }
        if elapsedNanos >= closed.load.durationNanos { return false }
        if let closedBudget, closedStarted >= closedBudget { return false }
        return true
    }

    /// The next iteration for virtual user `vu` free at `elapsedNanos`, or nil when it must not
    /// start one (run over, budget spent, or the VU is not active at this point of the stages).
    mutating func nextClosed(vu: Int, elapsedNanos: Int64) -> Iteration? {
        guard let closed, closedIssuing(elapsedNanos: elapsedNanos), vu <= closed.activeVUs(atNanos: elapsedNanos) else { return nil }
        let number = closedStarted * workers + worker
        closedStarted += 1
        return Iteration(number: number, intendedNanos: elapsedNanos, latenessNanos: 0, measured: elapsedNanos >= measureFromNanos)
    }

    /// True when the closed model ramps VUs (the worker then polls for newly active VUs).
    var closedHasStages: Bool { !(closed?.load.stages.isEmpty ?? true) }
}
