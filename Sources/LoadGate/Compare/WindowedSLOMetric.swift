import Foundation

/// A windowed SLO's worst window as a compared metric: when the baseline and the new run both
/// judged the same `... over 1m` SLO, the value of its worst window is put side by side and
/// judged with the same tolerance and floor rules as any other metric. Which direction is worse
/// follows the SLO's comparison (`p95 < 1s`: higher is worse; `availability >= 99.9%`: lower is).
///
/// The value is read from the SLO's entry in `summary.json` (`slos[i].window.worst.value`, in the
/// SLO's unit: seconds, percent, or per second) and converted to the compared unit (percent → share).
extension ComparedMetric {
    /// The metric for `expression`, or nil when it is not windowed or has no direction (`==`, `dropped`).
    static func worstWindow(of expression: SLOExpression) -> ComparedMetric? {
        guard expression.windowSeconds != nil else { return nil }
        let higherIsWorse: Bool
        switch expression.comparison {
        case .less, .lessOrEqual: higherIsWorse = true
        case .greater, .greaterOrEqual: higherIsWorse = false
        case .equal: return nil
        }
        let unit: Unit
        var scale = 1.0
        var relativeBase: @Sendable (Double) -> Double = { $0 }
        switch expression.metric {
        case .latency: unit = .seconds
        case .availability: unit = .share; scale = 0.01; relativeBase = { 1 - $0 }  // failure share, as for availability
        case .errorRate: unit = .share; scale = 0.01
        case .rps: unit = .perSecond
        case .dropped: return nil
        }
        let text = expression.text, factor = scale
        return ComparedMetric(key: "window \(text)", label: "worst window of \(text)", unit: unit, higherIsWorse: higherIsWorse,
                              relativeBase: relativeBase, minimumTailSamples: nil, percentile: nil,
                              extract: { source in source.metrics.number("/window/worst/value").map { $0 * factor } })
    }

    /// The windowed SLOs judged in both runs, paired by expression: (step, metric, baseline entry, new entry).
    static func windowedSLOs(baseline: JSONValue, new: JSONValue) -> [(step: String?, metric: ComparedMetric, base: JSONValue, new: JSONValue)] {
        let newSLOs = new.list("/slos")
        return baseline.list("/slos").compactMap { entry in
            guard let text = entry.text("/expression"), entry.resolve(pointer: "/window") ?? .null != .null,
                  let match = newSLOs.first(where: { $0.text("/expression") == text && ($0.resolve(pointer: "/window") ?? .null) != .null }),
                  case let .success(expression) = SLOExpression.parse(text), let metric = worstWindow(of: expression) else { return nil }
            return (expression.step, metric, entry, match)
        }
    }
}
