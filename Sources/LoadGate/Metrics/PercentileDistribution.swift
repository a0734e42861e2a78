import Foundation

/// HdrHistogram's percentile-distribution views of a histogram: the `.hgrm` text (Value,
/// Percentile, TotalCount, 1/(1-Percentile)) and the points of a percentile-spectrum chart.
public enum PercentileDistribution {
    /// Percentile points at "ticks per half distance" = 5, as HdrHistogram's outputPercentileDistribution
    /// iterates: denser toward the tail, ending at 100%.
    public static func percentiles(ticksPerHalfDistance: Int = 5, maxNines: Int = 5) -> [Double] {
        var out: [Double] = []
        var reportingStep = 100.0 / Double(ticksPerHalfDistance) / 2
        var level = 0.0
        var next = 0.0
        while level < maxNines.asNinesPercentile {
            out.append(next)
            next += reportingStep
            if next >= 100 - (100 - level) / 2 {
                level = 100 - (100 - level) / 2
                reportingStep /= 2
            }
            if out.count > 400 { break }
        }
        out.append(100)
        return out
    }

    /// (percentile 0...100, value in microseconds) pairs for charts, nil when the histogram is empty.
    public static func spectrum(_ histogram: Histogram) -> [(percentile: Double, micros: Int64)] {
        guard !histogram.isEmpty else { return [] }
        var points: [(Double, Int64)] = []
        for percentile in percentiles() {
            guard let value = histogram.value(atPercentile: percentile) else { continue }
            points.append((percentile, value))
        }
        return points
    }

    /// The `.hgrm` text, values in milliseconds (HdrHistogram's usual output scaling).
    public static func hgrm(_ histogram: Histogram) -> String {
        var out = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
        let total = Double(histogram.totalCount)
        for point in spectrum(histogram) {
            let fraction = point.percentile / 100
            let count = UInt64((fraction * total).rounded(.up))
            let inverse = fraction < 1 ? String(format: "%14.2f", 1 / (1 - fraction)) : ""
            out += String(format: "%12.3f %14.12f %10llu", Double(point.micros) / 1000, fraction, max(count, fraction == 0 ? 1 : count)) + " " + inverse + "\n"
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

extension Int {
    /// 5 nines -> 99.999.
    fileprivate var asNinesPercentile: Double {
        var value = 90.0
        var step = 9.0
        for _ in 1..<self { step /= 10; value += step }
        return value
    }
}
