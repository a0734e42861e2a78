/// The open model's schedule as a pure function: when iteration n is *intended* to start, and how
/// many iterations are due by a given elapsed time. It never reads a clock (the worker does), so
/// its tests are arithmetic. Latency of an iteration is measured from `intendedStartNanos(of:)`.
///
/// The rate is piecewise linear: constant `rate` without stages; with stages, each stage ramps
/// linearly from the previous rate (the first from `rate`) to its own over its duration.
/// Iteration n is due when the cumulative count H(t) = ∫ r reaches n; iteration 0 is due at t = 0.
public struct OpenPacer: Sendable, Equatable {
    struct Segment: Sendable, Equatable {
        var startNanos: Int64
        var durationNanos: Int64
        var startRate: Double  // per second
        var endRate: Double
        var hitsBefore: Double  // H at segment start
    }

    let segments: [Segment]
    /// H(end): iterations 0 ..< ceil(totalHits) are scheduled.
    public let totalHits: Double
    public let durationNanos: Int64

    public init(_ load: OpenLoad) {
        var segments: [Segment] = []
        var start: Int64 = 0
        var hits = 0.0
        if load.stages.isEmpty {
            segments.append(Segment(startNanos: 0, durationNanos: load.durationNanos, startRate: load.rate, endRate: load.rate, hitsBefore: 0))
            hits = load.rate * Double(load.durationNanos) / 1e9
            start = load.durationNanos
        } else {
            var rate = load.rate
            for stage in load.stages {
                segments.append(Segment(startNanos: start, durationNanos: stage.durationNanos, startRate: rate, endRate: stage.rate, hitsBefore: hits))
                hits += (rate + stage.rate) / 2 * Double(stage.durationNanos) / 1e9
                start += stage.durationNanos
                rate = stage.rate
            }
        }
        self.segments = segments
        self.totalHits = hits
        self.durationNanos = start
    }

    /// Number of iterations the schedule starts over the whole run.
    public var plannedIterations: Int64 {
        let rounded = totalHits.rounded()
        // Absorb floating error: 200/s for 2 s is exactly 400 iterations.
        if abs(totalHits - rounded) < 1e-6 { return Int64(rounded) }
        return Int64(totalHits.rounded(.up))
    }

    /// Requested rate (iterations per second) at an elapsed time.
    public func rate(atNanos elapsed: Int64) -> Double {
        guard let segment = segments.last(where: { $0.startNanos <= elapsed }) else { return segments.first?.startRate ?? 0 }
        let fraction = min(1, Double(elapsed - segment.startNanos) / Double(max(segment.durationNanos, 1)))
        return segment.startRate + (segment.endRate - segment.startRate) * fraction
    }

    /// Iterations due by `elapsed` (floor of H, plus iteration 0 at t = 0), capped at the plan.
    public func dueIterations(atNanos elapsed: Int64) -> Int64 {
        guard elapsed >= 0 else { return 0 }
        guard elapsed < durationNanos else { return plannedIterations }
        guard let segment = segments.last(where: { $0.startNanos <= elapsed }) else { return 0 }
        let x = Double(elapsed - segment.startNanos) / 1e9
        let slope = (segment.endRate - segment.startRate) / (Double(segment.durationNanos) / 1e9)
        let hits = segment.hitsBefore + segment.startRate * x + slope / 2 * x * x
        return min(plannedIterations, Int64((hits + 1e-9).rounded(.down)) + 1)
    }

    /// Intended start of iteration `n` (0-based) in nanoseconds since the run start, or nil when
    /// `n` is beyond the schedule.
    public func intendedStartNanos(of n: Int64) -> Int64? {
        guard n >= 0, n < plannedIterations else { return nil }
        let target = Double(n)
        guard let segment = segments.last(where: { $0.hitsBefore <= target + 1e-9 && ($0.startRate > 0 || $0.endRate > 0) })
                ?? segments.first else { return nil }
        let c = max(0, target - segment.hitsBefore)
        let seconds = Double(segment.durationNanos) / 1e9
        let a = (segment.endRate - segment.startRate) / (2 * seconds)
        let b = segment.startRate
        // Solve a·x² + b·x = c with the cancellation-free form x = 2c / (b + √(b² + 4ac)).
        let x: Double
        if c == 0 {
            x = 0
        } else if abs(a) < 1e-12 {
            guard b > 0 else { return nil }
            x = c / b
        } else {
            let discriminant = max(0, b * b + 4 * a * c)
            let denominator = b + discriminant.squareRoot()
            guard denominator > 0 else { return nil }
            x = 2 * c / denominator
        }
        let offset = Int64((x * 1e9).rounded())
        return segment.startNanos + min(offset, segment.durationNanos)
    }
}

/// The closed model's VU count over time as a pure function: constant without stages, linear
/// ramps between stage targets otherwise (starting from `vus`).
public struct ClosedSchedule: Sendable, Equatable {
    public let load: ClosedLoad

    public init(_ load: ClosedLoad) { self.load = load }

    public func activeVUs(atNanos elapsed: Int64) -> Int {
        guard elapsed < load.durationNanos else { return 0 }
        guard !load.stages.isEmpty else { return load.vus }
        var start: Int64 = 0
        var from = load.vus
        for stage in load.stages {
            if elapsed < start + stage.durationNanos {
                let fraction = Double(elapsed - start) / Double(stage.durationNanos)
                return Int((Double(from) + Double(stage.vus - from) * fraction).rounded(.down))
            }
            start += stage.durationNanos
            from = stage.vus
        }
        return 0
    }
}
