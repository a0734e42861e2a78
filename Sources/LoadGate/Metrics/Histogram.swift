/// An HdrHistogram-equivalent latency histogram: O(1) record, exact merge, bounded relative error.
///
/// Layout (as in HdrHistogram; values are integers, LoadGate records microseconds):
///
///     bucket 0: sub-buckets 0 ..< subBucketCount         width 1 << unitMagnitude
///     bucket k: sub-buckets subBucketHalfCount ..< subBucketCount, width 1 << (unitMagnitude + k)
///
///     counts index = (bucket + 1) << subBucketHalfCountMagnitude + (subBucket - subBucketHalfCount)
///
/// Every bucket after the first reuses only the upper half of its sub-buckets (the lower half is
/// covered by the previous bucket at finer resolution). With `significantDigits` = 3 the width of a
/// value's sub-bucket is at most value/1024, so any reported percentile is within 0.1% of the
/// exact one. Invariants: `totalCount == counts.reduce(0, +)`; values above `highestTrackable`
/// are clamped to it and counted in `clampedCount`; the counts array never grows after init.
public struct Histogram: Sendable, Equatable {
    public let lowestDiscernible: Int64
    public let highestTrackable: Int64
    public let significantDigits: Int

    private let unitMagnitude: Int
    private let subBucketHalfCountMagnitude: Int
    private let subBucketCount: Int
    private let subBucketHalfCount: Int
    private let subBucketMask: Int64
    private let leadingZeroCountBase: Int
    public let bucketCount: Int

    public private(set) var counts: [UInt64]
    public private(set) var totalCount: UInt64 = 0
    public private(set) var minValue: Int64 = .max
    public private(set) var maxValue: Int64 = 0
    /// Sum of recorded values (for the mean); a Double so it cannot overflow on long runs.
    public private(set) var sum: Double = 0
    public private(set) var clampedCount: UInt64 = 0

    /// Default latency layout: 1 µs .. 1 h in microseconds, 3 significant digits (≈ 188 KB).
    public static func latencyMicros(significantDigits: Int = 3) -> Histogram {
        Histogram(lowestDiscernible: 1, highestTrackable: 3_600_000_000, significantDigits: significantDigits)
    }

    public init(lowestDiscernible: Int64, highestTrackable: Int64, significantDigits: Int) {
        precondition(lowestDiscernible >= 1, "lowestDiscernible MUST BE >= 1")
        precondition(highestTrackable >= 2 * lowestDiscernible, "highestTrackable MUST BE >= 2 * lowestDiscernible")
        precondition((1...5).contains(significantDigits), "significantDigits MUST BE in 1...5")
        self.lowestDiscernible = lowestDiscernible
        self.highestTrackable = highestTrackable
        self.significantDigits = significantDigits

        var largestSingleUnit: Int64 = 2
        for _ in 0..<significantDigits { largestSingleUnit *= 10 }
        let subBucketCountMagnitude = Double(largestSingleUnit).log2Ceil
        self.unitMagnitude = 63 - lowestDiscernible.leadingZeroBitCount
        self.subBucketHalfCountMagnitude = Swift.max(subBucketCountMagnitude, 1) - 1
        self.subBucketCount = 1 << (subBucketHalfCountMagnitude + 1)
        self.subBucketHalfCount = subBucketCount / 2
        self.subBucketMask = Int64(subBucketCount - 1) << unitMagnitude
        self.leadingZeroCountBase = 64 - unitMagnitude - (subBucketHalfCountMagnitude + 1)

        var smallestUntrackable = Int64(subBucketCount) << unitMagnitude
        var buckets = 1
        while smallestUntrackable <= highestTrackable {
            if smallestUntrackable > Int64.max / 2 { buckets += 1; break }
            smallestUntrackable <<= 1
            buckets += 1
        }
        self.bucketCount = buckets
        self.counts = [UInt64](repeating: 0, count: (buckets + 1) * subBucketHalfCount)
    }

    @inline(__always)
    private func bucketIndex(_ value: Int64) -> Int {
        leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
    }

    @inline(__always)
    private func countsIndex(for value: Int64) -> Int {
        let bucket = bucketIndex(value)
        let subBucket = Int(value >> Int64(bucket + unitMagnitude))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    /// The lowest value that maps to counts index `index`.
    private func valueFromIndex(_ index: Int) -> Int64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return Int64(subBucket) << Int64(bucket + unitMagnitude)
    }

    private func sizeOfEquivalentRange(_ value: Int64) -> Int64 {
        let bucket = bucketIndex(value)
        let subBucket = Int(value >> Int64(bucket + unitMagnitude))
        let adjustedBucket = subBucket >= subBucketCount ? bucket + 1 : bucket
        return Int64(1) << Int64(unitMagnitude + adjustedBucket)
    }

    public func lowestEquivalent(_ value: Int64) -> Int64 {
        valueFromIndex(countsIndex(for: value))
    }

    public func highestEquivalent(_ value: Int64) -> Int64 {
        lowestEquivalent(value) + sizeOfEquivalentRange(value) - 1
    }

    /// Records one value. Negative values count as 0; values above the range are clamped.
    /// Allocation-free.
    @inline(__always)
    public mutating func record(_ value: Int64) {
        var v = value < 0 ? 0 : value
        if v > highestTrackable {
            v = highestTrackable
            clampedCount &+= 1
        }
        counts[countsIndex(for: v)] &+= 1
        totalCount &+= 1
        sum += Double(v)
        if v < minValue { minValue = v }
        if v > maxValue { maxValue = v }
    }

    /// Adds every count of `other`, which must have the same layout. Exact: merging per-worker
    /// histograms equals recording all values into one.
    public mutating func merge(_ other: Histogram) {
        precondition(other.counts.count == counts.count && other.unitMagnitude == unitMagnitude,
                     "histograms MUST share a layout to merge")
        guard other.totalCount > 0 else { return }
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for index in 0..<mine.count where theirs[index] != 0 { mine[index] &+= theirs[index] }
            }
        }
        totalCount &+= other.totalCount
        sum += other.sum
        clampedCount &+= other.clampedCount
        minValue = Swift.min(minValue, other.minValue)
        maxValue = Swift.max(maxValue, other.maxValue)
    }

    public mutating func reset() {
        guard totalCount > 0 else { return }
        counts.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<buffer.count { buffer[index] = 0 }
        }
        totalCount = 0
        sum = 0
        clampedCount = 0
        minValue = .max
        maxValue = 0
    }

    /// Replaces the counts with ones read back from an encoding (`HdrEncoding`, `latency.hlog`),
    /// indexed like `counts`. Min, max and sum are derived from the buckets unless exact values
    /// are known (a run's summary keeps them); the sum then uses each bucket's middle value.
    public mutating func restore(counts restored: [UInt64], min exactMin: Int64? = nil, max exactMax: Int64? = nil,
                                 sum exactSum: Double? = nil) {
        precondition(restored.count == counts.count, "restored counts MUST match the layout")
        reset()
        counts = restored
        var derivedSum = 0.0
        for index in 0..<counts.count where counts[index] != 0 {
            let low = valueFromIndex(index)
            let high = highestEquivalent(low)
            totalCount &+= counts[index]
            derivedSum += Double(counts[index]) * (Double(low) + Double(high - low) / 2)
            if low < minValue { minValue = low }
            maxValue = Swift.max(maxValue, high)
        }
        guard totalCount > 0 else { return }
        if let exactMin { minValue = exactMin }
        if let exactMax { maxValue = exactMax }
        sum = exactSum ?? derivedSum
    }

    public var isEmpty: Bool { totalCount == 0 }

    public var mean: Double? { totalCount == 0 ? nil : sum / Double(totalCount) }
    public var min: Int64? { totalCount == 0 ? nil : minValue }
    public var max: Int64? { totalCount == 0 ? nil : maxValue }

    /// The value at `percentile` (0...100) by nearest rank: the smallest recorded value v such
    /// that at least percentile% of values are <= v, reported as the highest value equivalent to
    /// v (HdrHistogram's convention), capped at the exact maximum. nil when empty.
    public func value(atPercentile percentile: Double) -> Int64? {
        guard totalCount > 0 else { return nil }
        let clamped = Swift.min(Swift.max(percentile, 0), 100)
        let exactRank = clamped / 100 * Double(totalCount)
        // The tiny relative slack keeps 0.95 * 1000 (= 950.0000000001 in binary) at rank 950.
        let rank = Swift.max(UInt64(1), UInt64((exactRank - exactRank * 1e-12).rounded(.up)))
        let target = Swift.min(rank, totalCount)
        var cumulative: UInt64 = 0
        for index in 0..<counts.count where counts[index] != 0 {
            cumulative &+= counts[index]
            if cumulative >= target {
                let value = valueFromIndex(index)
                return Swift.min(highestEquivalent(value), maxValue)
            }
        }
        return maxValue
    }

    /// Non-empty buckets as (highest equivalent value, count), in increasing order; used by the
    /// percentile-distribution output and by tests.
    public func recordedBuckets() -> [(value: Int64, count: UInt64)] {
        var out: [(Int64, UInt64)] = []
        for index in 0..<counts.count where counts[index] != 0 {
            out.append((highestEquivalent(valueFromIndex(index)), counts[index]))
        }
        return out
    }
}

extension Double {
    /// ceil(log2(self)) for self >= 1.
    fileprivate var log2Ceil: Int {
        var power = 1.0
        var exponent = 0
        while power < self { power *= 2; exponent += 1 }
        return exponent
    }
}
