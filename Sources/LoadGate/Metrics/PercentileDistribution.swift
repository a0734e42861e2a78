import Foundation

/// HdrHistogram's percentile-distribution views of a histogram: the `.hgrm` text (Value,
/// Percentile, TotalCount, 1/(1-Percentile)) and the points of a percentile-spectrum chart.
///
/// The levels follow HdrHistogram's `outputPercentileDistribution` (its `PercentileIterator`):
/// starting at 0%, the step to the next level is `100 / (ticks * 2^(floor(log2(100 / (100 - level))) + 1))`,
/// so each half of the remaining distance to 100% gets `ticks` levels. A level is reported at the
/// first recorded value whose cumulative share reaches it; once the last recorded value is
/// reached, one final line at 100% ends the distribution. The distribution therefore runs to
/// 100% through the whole tail, however many samples there are.
public enum PercentileDistribution {
    /// One reported level: the value at it (highest equivalent, capped at the exact maximum, as
    /// `Histogram.value(atPercentile:)` reports it), and the count of samples up to that value.
    public struct Line: Sendable, Equatable {
        public var percentile: Double
        public var micros: Int64
        public var totalCount: UInt64
    }

    /// The percentiles the summary tables report; the chart spectrum passes through each of them
    /// exactly, so a chart read at 99% shows the table's p99.
    public static let tablePercentiles: [Double] = [50, 90, 95, 99, 99.9]

    /// HdrHistogram's `outputPercentileDistribution` levels for `histogram`; empty when it is empty.
    public static func lines(_ histogram: Histogram, ticksPerHalfDistance: Int = 5) -> [Line] {
        guard histogram.totalCount > 0, let maxValue = histogram.max else { return [] }
        let total = histogram.totalCount
        var out: [Line] = []
        var level = 0.0
        var cumulative: UInt64 = 0
        buckets: for bucket in histogram.recordedBuckets() {
            cumulative += bucket.count
            let value = Swift.min(bucket.value, maxValue)
            while 100 * Double(cumulative) / Double(total) >= level {
                out.append(Line(percentile: level, micros: value, totalCount: cumulative))
                if cumulative == total { break buckets }
                level = nextLevel(after: level, ticksPerHalfDistance: ticksPerHalfDistance)
            }
        }
        out.append(Line(percentile: 100, micros: maxValue, totalCount: total))
        return out
    }

    /// The level after `level` (0...100): `ticks` levels per half of the remaining distance.
    static func nextLevel(after level: Double, ticksPerHalfDistance: Int) -> Double {
        let halvings = Int((log(100 / (100 - level)) / log(2)).rounded(.down)) + 1
        let ticks = Double(ticksPerHalfDistance) * pow(2, Double(halvings))
        return level + 100 / ticks
    }

    /// (percentile 0...100, value in microseconds) pairs for charts: the distribution's levels
    /// plus the table's percentiles, in increasing order; empty when the histogram is empty.
    public static func spectrum(_ histogram: Histogram) -> [(percentile: Double, micros: Int64)] {
        let levels = lines(histogram)
        guard !levels.isEmpty else { return [] }
        var points = levels.map { (percentile: $0.percentile, micros: $0.micros) }
        for percentile in tablePercentiles where !points.contains(where: { $0.percentile == percentile }) {
            if let value = histogram.value(atPercentile: percentile) { points.append((percentile, value)) }
        }
        return points.sorted { $0.percentile < $1.percentile }
    }

    /// The `.hgrm` text, values in milliseconds (HdrHistogram's usual output scaling).
    public static func hgrm(_ histogram: Histogram) -> String {
        var out = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
        for line in lines(histogram) {
            let fraction = line.percentile / 100
            let inverse = fraction < 1 ? String(format: "%14.2f", 1 / (1 - fraction)) : ""
            out += String(format: "%12.3f %14.12f %10llu", Double(line.micros) / 1000, fraction, line.totalCount) + " " + inverse + "\n"
        }
        let mean = (histogram.mean ?? 0) / 1000
        let stddev = standardDeviationMillis(histogram)
        out += String(format: "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean, stddev)
        out += String(format: "#[Max     = %12.3f, Total count    = %12llu]\n", Double(histogram.max ?? 0) / 1000, histogram.totalCount)
        out += String(format: "#[Buckets = %12d, SubBuckets     = %12d]\n", histogram.bucketCount, 2048)
        return out
    }

    static func standardDeviationMillis(_ histogram: Histogram) -> Double {
        guard let mean = histogram.mean, histogram.totalCount > 0 else { return 0 }
        var sum = 0.0
        for bucket in histogram.recordedBuckets() {
            let delta = Double(bucket.value) - mean
            sum += delta * delta * Double(bucket.count)
        }
        return (sum / Double(histogram.totalCount)).squareRoot() / 1000
    }
}
