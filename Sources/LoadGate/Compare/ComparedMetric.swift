/// One quantity `compare` puts side by side, read from a run's JSON (a step of `summary.json`, or
/// its `overall`). The list is data, not code paths: a new metric (a windowed SLO's worst window,
/// say) is one more entry in `ComparedMetric.all`, and every renderer and the regression rule pick
/// it up.
public struct ComparedMetric: Sendable {
    /// How values are measured, which decides the unit of the noise floor and how they print.
    public enum Unit: String, Sendable {
        /// Seconds (latency); floors are durations such as "1ms".
        case seconds
        /// A share from 0 to 1 (availability); floors are percentage points such as "0.1%".
        case share
        /// Per second (throughput); floors are rates such as "1/s".
        case perSecond
    }

    /// Where a value is read from: one step's (or the overall) JSON object and the run it belongs to.
    public struct Source: Sendable {
        /// `steps[i]` or `overall` of `summary.json`.
        public var metrics: JSONValue
        /// The whole `summary.json` (run-level facts such as the load duration).
        public var summary: JSONValue
        /// Seconds of measured load, for rates.
        public var loadSeconds: Double?
    }

    /// The key users write in `--max-regression`-style overrides and scenarios: "p95", "availability".
    public var key: String
    /// How the metric is named in tables and test names.
    public var label: String
    public var unit: Unit
    /// True when a higher value is worse (latency); false when a lower one is (availability, throughput).
    public var higherIsWorse: Bool
    /// What a relative change is measured against, from the baseline value. The value itself for
    /// most; for availability the failure share (1 − availability), so that 99.9% → 99.8% (twice
    /// the failures) is a 100% change, not 0.1%.
    public var relativeBase: @Sendable (Double) -> Double
    /// Samples needed above the percentile before it is judged (nil: always judged). A p99 from a
    /// hundred requests is the second-slowest request, which is noise, not a measurement.
    public var minimumTailSamples: Int?
    /// The percentile this metric reads (for the sample rule), nil for non-percentiles.
    public var percentile: Double?
    public var extract: @Sendable (Source) -> Double?
    /// How many samples the value was computed from (for `minimumTailSamples`).
    public var samples: (@Sendable (Source) -> Double?)? = nil

    /// The metrics compared by default, in display order.
    public static let all: [ComparedMetric] = [
        latency("p50", 50), latency("p95", 95), latency("p99", 99),
        ComparedMetric(key: "availability", label: "availability", unit: .share, higherIsWorse: false,
                       relativeBase: { 1 - $0 }, minimumTailSamples: nil, percentile: nil,
                       extract: { source in
                           guard let requests = source.metrics.number("/requests"), requests > 0 else { return nil }
                           return (requests - (source.metrics.number("/failed") ?? 0)) / requests
                       }),
        ComparedMetric(key: "throughput", label: "throughput", unit: .perSecond, higherIsWorse: false,
                       relativeBase: { $0 }, minimumTailSamples: nil, percentile: nil,
                       extract: { source in
                           guard let seconds = source.loadSeconds, seconds > 0, let requests = source.metrics.number("/requests") else { return nil }
                           return requests / seconds
                       }),
    ]

    public static var keys: [String] { all.map(\.key) }

    /// A latency percentile read from `latency.pNN` (seconds), judged once enough samples lie above it.
    static func latency(_ key: String, _ percentile: Double) -> ComparedMetric {
        ComparedMetric(key: key, label: "\(key) latency", unit: .seconds, higherIsWorse: true, relativeBase: { $0 },
                       minimumTailSamples: 5, percentile: percentile,
                       extract: { $0.metrics.number("/latency/\(key)") }, samples: { $0.metrics.number("/latency/count") })
    }

    /// Samples a histogram must hold for this metric to be judged (nil: no minimum).
    public var minimumSamples: Int? {
        guard let tail = minimumTailSamples, let percentile else { return nil }
        return Int((Double(tail) / (1 - percentile / 100)).rounded(.up))
    }
}
