import Foundation

/// Maps data values to pixels along one axis, and picks the ticks a reader needs to read it back.
/// The one home for axis arithmetic in LoadGate's charts: linear (counts, seconds, rates), log10
/// (latencies, which span microseconds to seconds) and "nines" (percentiles, where 90%, 99%,
/// 99.9% are equally spaced, as HdrHistogram plots them).
public struct ChartScale: Sendable {
    public enum Kind: Sendable { case linear, log, nines }

    public let kind: Kind
    /// Data domain (for `.nines`, in percent 0...100; the upper end is drawn at `maxNines`).
    public let lower: Double
    public let upper: Double
    /// Pixel range; `start` is where `lower` lands (bottom for a y axis).
    public let start: Double
    public let end: Double
    /// For `.nines`: how many nines the axis shows before its final 100% point.
    public let maxNines: Double

    public static func linear(_ lower: Double, _ upper: Double, start: Double, end: Double) -> ChartScale {
        let lower = finite(lower), upper = finite(upper)
        return ChartScale(kind: .linear, lower: lower, upper: upper > lower ? upper : lower + 1, start: start, end: end, maxNines: 0)
    }

    /// Data from a file may hold NaN, infinities or 1e300: axes are drawn over at most ±1e15 (a
    /// tick loop over an infinite range would never end, and a decade count would trap).
    static func finite(_ value: Double) -> Double { value.isNaN ? 0 : Swift.min(Swift.max(value, -1e15), 1e15) }

    /// A log scale over whole decades covering `lower...upper` (both > 0).
    public static func log(_ lower: Double, _ upper: Double, start: Double, end: Double) -> ChartScale {
        let low = pow(10, Foundation.log10(Swift.max(finite(lower), 1e-9)).rounded(.down))
        var high = pow(10, Foundation.log10(Swift.max(finite(upper), low)).rounded(.up))
        if high <= low { high = low * 10 }
        return ChartScale(kind: .log, lower: low, upper: high, start: start, end: end, maxNines: 0)
    }

    /// Percentiles 0...100 by the number of nines of 1/(1−p); 100% sits at the far end.
    public static func nines(_ maxNines: Int, start: Double, end: Double) -> ChartScale {
        ChartScale(kind: .nines, lower: 0, upper: 100, start: start, end: end, maxNines: Double(Swift.max(maxNines, 1)))
    }

    /// Pixel position of `value`, clamped to the axis.
    public func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - lower) / (upper - lower)
        case .log:
            let v = Swift.max(value, lower)
            fraction = (Foundation.log10(v) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        case .nines:
            fraction = value >= 100 ? 1 : Swift.min(Self.ninesOf(value), maxNines) / (maxNines + Self.maxGap)
        }
        return start + Swift.min(Swift.max(fraction, 0), 1) * (end - start)
    }

    /// The room left between the last whole nine and the final 100% point, in nines.
    static let maxGap = 0.5

    static func ninesOf(_ percentile: Double) -> Double {
        Foundation.log10(1 / Swift.max(1e-12, 1 - percentile / 100))
    }

    /// Tick values with their labels.
    public func ticks(format: (Double) -> String) -> [(value: Double, label: String)] {
        switch kind {
        case .linear:
            let step = Self.niceStep((upper - lower) / 5)
            var out: [(Double, String)] = []
            var value = (lower / step).rounded(.up) * step
            while value <= upper + step * 1e-9 {
                out.append((value, format(value)))
                value += step
            }
            return out
        case .log:
            var out: [(Double, String)] = []
            var decade = lower
            let decades = Int((Foundation.log10(upper) - Foundation.log10(lower)).rounded())
            for _ in 0...decades {
                out.append((decade, format(decade)))
                decade *= 10
            }
            return out
        case .nines:
            var out: [(Double, String)] = [(0, "0%")]
            var percentile = 90.0
            var label = "90%"
            for nines in 1...Int(maxNines) {
                out.append((percentile, label))
                percentile = 100 - (100 - percentile) / 10
                label = Self.percentLabel(percentile)
                _ = nines
            }
            out.append((100, "max"))
            return out
        }
    }

    /// Minor grid values of a log scale (2× and 5× each decade), for reading between decades.
    public func minorTicks() -> [Double] {
        guard kind == .log else { return [] }
        var out: [Double] = []
        var decade = lower
        while decade < upper {
            out += [decade * 2, decade * 5]
            decade *= 10
        }
        return out.filter { $0 < upper }
    }

    static func percentLabel(_ percentile: Double) -> String {
        var text = String(format: "%.6f", percentile)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, Foundation.log10(raw).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }
}
