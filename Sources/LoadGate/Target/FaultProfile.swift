import Foundation

/// Faults the demo target injects so a gate can be shown to fail when it should: a latency
/// distribution, an error rate (HTTP 500) and periodic stalls. Parsed from the CLI's words.
public struct FaultProfile: Sendable, Equatable {
    public enum Latency: Sendable, Equatable {
        case none
        case fixed(nanos: Int64)
        case uniform(min: Int64, max: Int64)
        /// Log-normal with the given median and shape (sigma).
        case lognormal(median: Int64, sigma: Double)
    }

    public var latency = Latency.none
    /// 0...1: share of requests answered 500.
    public var errorRate = 0.0
    /// Every `every` nanoseconds, hold all answers for `duration` (from the target's start).
    public var stall: (every: Int64, duration: Int64)?
    /// From `after` nanoseconds on (since the target's start), add `latency` to every answer: a
    /// target that degrades during a run (a leak, a filling queue), for windowed SLOs.
    public var slowAfter: (after: Int64, latency: Int64)?

    public init() {}

    public static func == (a: FaultProfile, b: FaultProfile) -> Bool {
        a.latency == b.latency && a.errorRate == b.errorRate && a.stall?.every == b.stall?.every && a.stall?.duration == b.stall?.duration
            && a.slowAfter?.after == b.slowAfter?.after && a.slowAfter?.latency == b.slowAfter?.latency
    }

    /// `15s:80ms`: from 15 s after the start, add 80 ms to every answer.
    public static func parseSlowAfter(_ text: String) -> (after: Int64, latency: Int64)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { DurationText.parseNanos(String($0)) }
        guard parts.count == 2, let after = parts[0], let latency = parts[1], after >= 0, latency > 0 else { return nil }
        return (after, latency)
    }

    /// `fixed:10ms`, `uniform:5ms-20ms`, `lognormal:10ms,0.5`.
    public static func parseLatency(_ text: String) -> Latency? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "fixed": return DurationText.parseNanos(parts[1]).map { .fixed(nanos: $0) }
        case "uniform":
            let bounds = parts[1].split(separator: "-").compactMap { DurationText.parseNanos(String($0)) }
            return bounds.count == 2 && bounds[0] <= bounds[1] ? .uniform(min: bounds[0], max: bounds[1]) : nil
        case "lognormal":
            let values = parts[1].split(separator: ",")
            guard values.count == 2, let median = DurationText.parseNanos(String(values[0])), let sigma = Double(values[1]), sigma >= 0 else { return nil }
            return .lognormal(median: median, sigma: sigma)
        default: return nil
        }
    }

    /// `10s:1s`: every 10 s, stall for 1 s.
    public static func parseStall(_ text: String) -> (every: Int64, duration: Int64)? {
        let parts = text.split(separator: ":").compactMap { DurationText.parseNanos(String($0)) }
        guard parts.count == 2, parts[0] > parts[1], parts[1] > 0 else { return nil }
        return (parts[0], parts[1])
    }

    /// How long to delay an answer that arrives `elapsed` nanoseconds after the target started.
    func delayNanos(elapsed: Int64) -> Int64 {
        var delay: Int64 = 0
        switch latency {
        case .none: break
        case let .fixed(nanos): delay = nanos
        case let .uniform(low, high): delay = Int64.random(in: low...high)
        case let .lognormal(median, sigma):
            let normal = (-2 * log(Double.random(in: Double.ulpOfOne..<1))).squareRoot() * cos(2 * .pi * Double.random(in: 0..<1))
            delay = Int64(Double(median) * exp(sigma * normal))
        }
        if let slowAfter, elapsed >= slowAfter.after { delay += slowAfter.latency }
        if let stall, elapsed % stall.every < stall.duration {
            delay += stall.duration - elapsed % stall.every
        }
        return delay
    }
}
