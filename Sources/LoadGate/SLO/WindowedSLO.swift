/// A windowed SLO (`p95 < 2s over 1m`) judged as the run goes: the SLO holds only if it holds
/// in every window, so a run whose last five minutes degrade fails even when its overall p95
/// hides it.
///
/// Windows are tumbling and aligned to the run start (to the first measured second when a
/// warm-up is excluded):
///
///     seconds   0 1 2 3 4 | 5 6 7 8 9 | 10 11 12 13 14 | 15 16 (partial, 1.7 s)
///     windows   [0, 5)      [5, 10)     [10, 15)         [15, 16.7): 1.7 s < 2.5 s, not judged
///
/// A partial last window is judged when it covers at least half the window length (`counts`);
/// a shorter one is ignored rather than judged on a handful of requests.
///
/// Memory bound: one latency histogram (the `Histogram.latencyMicros` layout, ≈ 188 KB), two
/// counters and the covered time for the window being filled, plus one `SLOWindow` (≈ 40 bytes)
/// per finished window. Per-second histograms are merged into the window's and dropped; no
/// sample is stored. A 24-hour run with a 1-minute window keeps 1,440 windows (≈ 58 KB).
public struct WindowedSLO: Sendable {
    public let slo: SLOExpression
    public let lengthSeconds: Int
    /// Metric indices merged into the SLO's scope (all scenario steps, or the one named).
    let scope: [Int]
    /// The first second that belongs to a window (0, or the first second after the warm-up).
    let originSecond: Int

    public private(set) var windows: [SLOWindow] = []
    private var currentIndex: Int?
    private var requests: Int64 = 0
    private var failed: Int64 = 0
    private var latency = Histogram.latencyMicros()
    private var coveredNanos: Int64 = 0

    public init(slo: SLOExpression, scope: [Int], originSecond: Int = 0) {
        precondition((slo.windowSeconds ?? 0) >= 1, "a WindowedSLO MUST have a window of at least 1 s")
        self.slo = slo
        self.lengthSeconds = slo.windowSeconds ?? 1
        self.scope = scope
        self.originSecond = originSecond
    }

    // MARK: - Window arithmetic (pure)

    /// The window a second falls in, counted from `origin`; nil before the origin.
    public static func windowIndex(second: Int, origin: Int, lengthSeconds: Int) -> Int? {
        second < origin ? nil : (second - origin) / lengthSeconds
    }

    /// Whether a window that covered `coveredNanos` of its `lengthSeconds` is judged: a complete
    /// window always, a partial (last) one when it is at least half full.
    public static func counts(coveredNanos: Int64, lengthSeconds: Int) -> Bool {
        coveredNanos > 0 && coveredNanos * 2 >= Int64(lengthSeconds) * DurationText.nanosPerSecond
    }

    /// The worst judged window: one without a value (nothing to measure) first, then the one
    /// furthest on the failing side: highest for `<`/`<=`, lowest for `>`/`>=`, furthest from the
    /// threshold for `==`. The earliest wins a tie.
    public static func worstIndex(_ windows: [SLOWindow], comparison: SLOExpression.Comparison, threshold: Double) -> Int? {
        var worst: Int?
        var worstBadness = -Double.infinity
        for (index, window) in windows.enumerated() {
            let badness: Double
            if let value = window.value {
                switch comparison {
                case .less, .lessOrEqual: badness = value
                case .greater, .greaterOrEqual: badness = -value
                case .equal: badness = abs(value - threshold)
                }
            } else {
                badness = .infinity
            }
            if worst == nil || badness > worstBadness {
                worst = index
                worstBadness = badness
            }
        }
        return worst
    }

    // MARK: - Accumulation

    /// Adds one finished second (seconds arrive in order, as `Runner.run(onSecond:)` gives them).
    /// A window is closed as soon as its last second arrives.
    public mutating func absorb(_ snapshot: IntervalSnapshot) {
        guard let index = Self.windowIndex(second: snapshot.second, origin: originSecond, lengthSeconds: lengthSeconds) else { return }
        if let currentIndex, currentIndex != index { close() }
        currentIndex = index
        for metric in scope where metric < snapshot.steps.count {
            let step = snapshot.steps[metric]
            requests += step.requests
            failed += step.failed
            latency.merge(step.latency)
        }
        coveredNanos += snapshot.spanNanos
        if (snapshot.second - originSecond + 1) % lengthSeconds == 0 { close() }
    }

    /// Closes the last window (judged only if at least half full). Call once, after the last second.
    public mutating func finish() { close() }

    private mutating func close() {
        guard let index = currentIndex else { return }
        if Self.counts(coveredNanos: coveredNanos, lengthSeconds: lengthSeconds) {
            let seconds = Double(coveredNanos) / 1e9
            let value = SLOEvaluator.measure(slo.metric, histogram: latency, requests: requests, failed: failed, seconds: seconds, dropped: 0).observed
            let start = originSecond + index * lengthSeconds
            windows.append(SLOWindow(startSecond: start, endSeconds: Double(start) + seconds, value: value,
                                     passed: value.map { slo.comparison.holds($0, slo.threshold) } ?? false))
        }
        currentIndex = nil
        requests = 0
        failed = 0
        latency.reset()
        coveredNanos = 0
    }

    public var outcome: SLOWindowOutcome {
        SLOWindowOutcome(lengthSeconds: lengthSeconds, metric: slo.metric, windows: windows,
                         worstIndex: Self.worstIndex(windows, comparison: slo.comparison, threshold: slo.threshold))
    }
}

/// One judged window of a windowed SLO.
public struct SLOWindow: Sendable, Equatable {
    /// Seconds since the run start.
    public var startSecond: Int
    /// `startSecond` plus the time the window covered (less than the length only for a partial last window).
    public var endSeconds: Double
    /// In the SLO's unit family; nil when there was nothing to measure (no request completed).
    public var value: Double?
    public var passed: Bool
}

/// Every judged window of a windowed SLO and the worst of them: what `summary.json` reports under
/// `window` and what the verdict reads.
public struct SLOWindowOutcome: Sendable, Equatable {
    public var lengthSeconds: Int
    /// What the windows' values measure (their unit family).
    public var metric: SLOExpression.Metric
    public var windows: [SLOWindow]
    public var worstIndex: Int?

    public var failed: Int { windows.filter { !$0.passed }.count }
    public var total: Int { windows.count }
    public var worst: SLOWindow? { worstIndex.map { windows[$0] } }

    /// "15s-20s"
    public static func span(_ window: SLOWindow) -> String {
        "\(window.startSecond)s-\(DurationText.trim(window.endSeconds))s"
    }

    /// A window's value as text ("81ms", "99.5%"), or "no samples".
    public func valueText(_ window: SLOWindow) -> String {
        window.value.map { SLOEvaluator.format($0, metric) } ?? "no samples"
    }

    /// The SLO's result: it holds when at least one window was judged and every one passed.
    /// A run too short for half a window fails: a gate must not pass on nothing.
    func result(for slo: SLOExpression) -> SLOResult {
        guard let worst else {
            return SLOResult(expression: slo.text, step: slo.step, observed: nil, passed: false,
                             observedText: "no window judged (a run must cover at least half of \(lengthSeconds)s)", window: self)
        }
        let text = "worst \(valueText(worst)) in \(Self.span(worst)); \(failed) of \(total) windows failed"
        return SLOResult(expression: slo.text, step: slo.step, observed: worst.value, passed: failed == 0, observedText: text, window: self)
    }
}
