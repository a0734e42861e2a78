import Foundation

/// A latency histogram regrouped into log-spaced bins (ten per decade) for the report's histogram
/// chart: equal widths on a log axis, so a fast and a slow mode both stay visible.
public enum LatencyBins {
    public static let binsPerDecade = 10.0

    /// Bins from the one holding the minimum to the one holding the maximum (empty bins between
    /// them included, so gaps show); empty when the histogram is.
    public static func bins(_ histogram: Histogram) -> [(lowerMicros: Double, upperMicros: Double, count: UInt64)] {
        let buckets = histogram.recordedBuckets()
        guard !buckets.isEmpty else { return [] }
        func index(_ micros: Int64) -> Int { Int((log10(Double(max(micros, 1))) * binsPerDecade).rounded(.down)) }
        let first = index(buckets.first!.value), last = index(buckets.last!.value)
        var counts = [UInt64](repeating: 0, count: last - first + 1)
        for bucket in buckets { counts[index(bucket.value) - first] += bucket.count }
        return counts.enumerated().map { offset, count in
            let bin = Double(first + offset)
            return (pow(10, bin / binsPerDecade), pow(10, (bin + 1) / binsPerDecade), count)
        }
    }
}
