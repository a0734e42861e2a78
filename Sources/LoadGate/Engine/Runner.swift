import CCurl
import Foundation

/// Owns the clock, the threads and the stop: starts one `Worker` per thread, aggregates their
/// per-second snapshots for progress, stops them on interrupt, joins them and merges what they
/// recorded. The waiting primitive is injected (`wait`) so the CLI can turn signals into a stop
/// without global state.
public struct Runner {
    public let plan: RunPlan

    public init(plan: RunPlan) { self.plan = plan }

    /// - Parameters:
    ///   - wait: sleeps up to the given milliseconds; returns true if the run must stop (Ctrl-C).
    ///   - progress: called on the calling thread with a live view.
    ///   - onSecond: called on the calling thread with each finished second, all workers merged,
    ///     in order (the last one may be partial: see `IntervalSnapshot.spanNanos`).
    public func run(wait: (Int) -> Bool = { usleep(UInt32($0) * 1_000); return false },
                    progress: (RunProgress) -> Void = { _ in },
                    onSecond: (IntervalSnapshot) -> Void = { _ in }) -> RunResult {
        let stop = StopSignal()
        let workers = (0..<plan.workerCount).map { Worker(id: $0, plan: plan, stop: stop) }
        let startedAt = Date()
        let loadBefore = GeneratorLoad.Sample.now()
        var openFilesPeak = OpenFileBudget.openNow() ?? 0
        let startNanos = MonotonicClock.nowNanos() + 5_000_000
        let finished = DispatchSemaphore(value: 0)
        for worker in workers {
            let thread = Thread {
                worker.run(startNanos: startNanos)
                finished.signal()
            }
            thread.name = "loadgate-worker-\(worker.id)"
            thread.stackSize = 1 << 20
            thread.start()
        }

        var aggregator = TimeSeriesAggregator(metricCount: plan.metricNames.count, stepCount: plan.preparedSteps.count)
        var monitor = SLOMonitor(slos: plan.scenario.slos, metricNames: plan.metricNames, stepCount: plan.preparedSteps.count,
                                 measureFromNanos: plan.measureFromNanos)
        func observe(_ second: IntervalSnapshot) {
            if !monitor.isIdle { monitor.absorb(second) }
            onSecond(second)
        }
        var stoppedBySLO = false
        var interrupted = false
        var done = 0
        let plannedNanos = plan.scenario.load.durationNanos
        func drain(final: Bool, runNanos: Int64? = nil) {
            var watermark = Int.max
            for worker in workers {
                let (snapshots, workerWatermark) = worker.mailbox.drain()
                for snapshot in snapshots { aggregator.absorb(snapshot) }
                watermark = min(watermark, workerWatermark)
            }
            let elapsed = runNanos ?? (MonotonicClock.nowNanos() - startNanos)
            // Never finalize a second that has not ended yet (watermarks are Int.max once a worker is done).
            let limit = final ? Int((elapsed + DurationText.nanosPerSecond - 1) / DurationText.nanosPerSecond)
                              : Int(elapsed / DurationText.nanosPerSecond)
            aggregator.finalize(below: watermark, limitSecond: max(limit, 0), runNanos: runNanos, onSecond: observe)
        }

        while done < workers.count {
            if !interrupted, wait(200) {
                interrupted = true
                stop.stop()
                for worker in workers { worker.wake() }
            }
            while finished.wait(timeout: .now()) == .success { done += 1 }
            openFilesPeak = max(openFilesPeak, OpenFileBudget.openNow() ?? 0)
            drain(final: false)
            if !stoppedBySLO, monitor.abort != nil {
                // An abortOnFail SLO failed: stop as on an interrupt, but the verdict is "failed".
                stoppedBySLO = true
                stop.stop()
                for worker in workers { worker.wake() }
            }
            progress(RunProgress(elapsedNanos: max(0, MonotonicClock.nowNanos() - startNanos), plannedNanos: plannedNanos,
                                 requests: aggregator.totalRequests, failures: aggregator.totalFailures,
                                 lastSecond: aggregator.points.last))
        }
        // The workers' own end, not when this thread noticed it (it polls every 200 ms).
        let elapsedNanos = (workers.map(\.finishedNanos).max() ?? MonotonicClock.nowNanos()) - startNanos
        drain(final: true, runNanos: elapsedNanos)
        let endedAt = Date()
        let loadAfter = GeneratorLoad.Sample.now()

        var steps = [StepMetrics](repeating: StepMetrics(), count: plan.metricNames.count)
        var lateness = Histogram.latencyMicros()
        var errorSamples = [ErrorSampleSet](repeating: ErrorSampleSet(), count: plan.metricNames.count)
        var result = RunResult(steps: [], lateness: lateness, dropped: 0, iterationsStarted: 0, iterationsCompleted: 0, aborted: 0,
                               plannedIterations: nil, timeSeries: aggregator.points, startedAt: startedAt, endedAt: endedAt,
                               elapsedNanos: elapsedNanos, interrupted: interrupted, workers: workers.count)
        for worker in workers {
            for (index, metrics) in worker.metrics.enumerated() { steps[index].merge(metrics) }
            for (index, samples) in worker.errorSamples.enumerated() { errorSamples[index].merge(samples) }
            lateness.merge(worker.lateness)
            result.generatorLateness.merge(worker.generatorLateness)
            result.dropped += worker.dropped
            result.connectionsBusy += worker.connectionsBusy
            result.iterationsStarted += worker.iterationsStarted
            result.iterationsCompleted += worker.iterationsCompleted
            result.aborted += worker.aborted
            result.mcpSessionsCreated += worker.mcpSessionsCreated
            result.mcpSessionsDeleted += worker.mcpSessionsDeleted
            result.mcpSessionsWithoutID += worker.mcpSessionsWithoutID
        }
        result.stepTimeSeries = aggregator.stepPoints
        result.stepCount = plan.preparedSteps.count
        result.metricNames = plan.metricNames
        result.problems = [plan.a2aProblem].compactMap { $0 }
        result.sloWindows = monitor.finish()
        result.abort = monitor.abort
        result.steps = steps
        result.errorSamples = errorSamples
        result.lateness = lateness
        if case let .open(load) = plan.scenario.load {
            let pacer = OpenPacer(load)
            let warmupIterations = plan.measureFromNanos > 0 ? pacer.dueIterations(atNanos: plan.measureFromNanos - 1) : 0
            result.plannedIterations = pacer.plannedIterations - warmupIterations
        }
        result.measureFromNanos = plan.measureFromNanos
        result.generatorLoad = GeneratorLoad.between(loadBefore, loadAfter)
        result.openFilesLimit = OpenFileBudget.limits.soft
        result.openFilesPeak = openFilesPeak
        result.httpEngine = plan.httpEngine
        return result
    }
}
