import Foundation
import Testing
@testable import LoadGate

/// Deterministic random numbers so a failing case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Exact nearest-rank percentile of sorted samples (the definition the histogram approximates).
func exactPercentile(_ sorted: [Int64], _ percentile: Double) -> Int64 {
    let rank = Int((percentile / 100 * Double(sorted.count) - 1e-9).rounded(.up))
    return sorted[max(0, min(sorted.count, rank) - 1)]
}

@Suite("HDR histogram")
struct HistogramTests {
    static let distributions: [(name: String, draw: @Sendable (inout SplitMix64) -> Int64)] = [
        ("uniform 1µs..1s", { rng in 1 + Int64(rng.unit() * 1_000_000) }),
        ("exponential mean 5ms", { rng in Int64(-log(1 - rng.unit()) * 5_000) + 1 }),
        ("lognormal median 3ms, heavy tail", { rng in
            let normal = sqrt(-2 * log(1 - rng.unit())) * cos(2 * .pi * rng.unit())
            return max(1, Int64(exp(8.0 + 1.5 * normal)))
        }),
        ("bimodal 200µs / 1.5s", { rng in rng.unit() < 0.97 ? 150 + Int64(rng.unit() * 100) : 1_400_000 + Int64(rng.unit() * 200_000) }),
    ]

    @Test("percentiles are within 0.1% of exact percentiles of the same samples", arguments: 0..<4)
    func percentilesMatchExact(distribution: Int) {
        let (name, draw) = Self.distributions[distribution]
        var rng = SplitMix64(state: 42 + UInt64(distribution))
        var histogram = Histogram.latencyMicros()
        var samples: [Int64] = []
        for _ in 0..<200_000 {
            let value = draw(&rng)
            samples.append(value)
            histogram.record(value)
        }
        samples.sort()
        for percentile in [1.0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100] {
            let exact = exactPercentile(samples, percentile)
            let reported = histogram.value(atPercentile: percentile)!
            let relativeError = abs(Double(reported - exact)) / Double(exact)
            #expect(relativeError <= 0.001, "\(name) p\(percentile): histogram \(reported) vs exact \(exact)")
        }
        #expect(histogram.min == samples.first)
        #expect(histogram.max == samples.last)
        #expect(histogram.totalCount == UInt64(samples.count))
        let exactMean = Double(samples.reduce(0, +)) / Double(samples.count)
        #expect(abs(histogram.mean! - exactMean) / exactMean < 1e-9)
    }

    @Test("merging per-worker histograms equals recording everything in one")
    func mergeEqualsSingle() {
        var rng = SplitMix64(state: 7)
        var single = Histogram.latencyMicros()
        var parts = [Histogram](repeating: Histogram.latencyMicros(), count: 4)
        for index in 0..<100_000 {
            let value = Int64(-log(1 - rng.unit()) * 20_000) + 1
            single.record(value)
            parts[index % 4].record(value)
        }
        var merged = Histogram.latencyMicros()
        for part in parts { merged.merge(part) }
        #expect(merged == single)
        #expect(merged.value(atPercentile: 99) == single.value(atPercentile: 99))
    }

    @Test("an empty histogram has no percentiles, mean, min or max")
    func emptyHistogram() {
        let histogram = Histogram.latencyMicros()
        #expect(histogram.value(atPercentile: 50) == nil)
        #expect(histogram.mean == nil)
        #expect(histogram.min == nil)
        #expect(histogram.max == nil)
    }

    @Test("values above one hour are clamped and counted, negative values count as zero")
    func clamping() {
        var histogram = Histogram.latencyMicros()
        histogram.record(5_000_000_000)
        histogram.record(-3)
        #expect(histogram.clampedCount == 1)
        #expect(histogram.max == 3_600_000_000)
        #expect(histogram.min == 0)
        #expect(histogram.totalCount == 2)
    }

    @Test("small values are exact: 1..2048 µs have unit resolution")
    func unitResolution() {
        var histogram = Histogram.latencyMicros()
        for value in 1...2_000 { histogram.record(Int64(value)) }
        #expect(histogram.value(atPercentile: 50) == 1_000)
        #expect(histogram.value(atPercentile: 99) == 1_980)
        #expect(histogram.value(atPercentile: 100) == 2_000)
    }

    @Test("storage does not grow with the number of recorded values")
    func fixedStorage() {
        var histogram = Histogram.latencyMicros()
        let size = histogram.counts.count
        var rng = SplitMix64(state: 1)
        for _ in 0..<1_000_000 { histogram.record(Int64(rng.next() % 3_600_000_000)) }
        #expect(histogram.counts.count == size)
        #expect(size == 23 * 1024)
    }

    @Test("reset empties the histogram for reuse")
    func reset() {
        var histogram = Histogram.latencyMicros(significantDigits: 2)
        histogram.record(100)
        histogram.reset()
        #expect(histogram == Histogram.latencyMicros(significantDigits: 2))
    }
}
