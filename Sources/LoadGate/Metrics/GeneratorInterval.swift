/// One second of the load generator's own state, beside the steps' completions in an
/// `IntervalSnapshot`: what live metrics show as requests in flight, start lateness, dropped
/// iterations and iterations refused for busy connections while the run is still going (the run
/// totals in `RunResult` are only known after the workers join).
///
/// Memory: a fixed 17-bucket lateness histogram plus six integers per worker per second
/// (≈ 240 bytes with the array's header), instead of a full HDR histogram: live views need the shape and the maximum,
/// not three-digit percentiles. Merged across workers, counts and in-flight add up; the maximum
/// is the largest.
///
/// Invariant: summed over every second of a run, `latenessCount`, `dropped` and
/// `connectionsBusy` equal the run's totals (measured iterations only, as in `RunResult`).
public struct GeneratorInterval: Sendable, Equatable {
    /// Upper bounds (microseconds) of the lateness buckets: 100 µs to 10 s in 1-2.5-5 steps
    /// (a healthy generator starts within a few hundred µs; seconds means it fell far behind);
    /// the last count is everything above.
    public static let latenessBoundsMicros: [Int64] = [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000,
                                                       100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000]

    /// Requests (handles) the generator had in flight when the second ended: a gauge.
    public var inFlight: Int64 = 0
    /// Open model: iterations dropped this second for starting later than `maxLateness` with a connection free.
    public var dropped: Int64 = 0
    /// Open model: iterations that never started this second because every connection was busy on the target.
    public var connectionsBusy: Int64 = 0
    /// Start lateness of the iterations started this second, per bucket of `latenessBoundsMicros` (+1 overflow).
    public var latenessCounts = [UInt64](repeating: 0, count: GeneratorInterval.latenessBoundsMicros.count + 1)
    public var latenessCount: UInt64 = 0
    public var latenessSumMicros: Int64 = 0
    public var latenessMaxMicros: Int64 = 0

    public init() {}

    public var isEmpty: Bool { inFlight == 0 && dropped == 0 && connectionsBusy == 0 && latenessCount == 0 }

    /// One iteration started `micros` after its intended start.
    public mutating func recordLateness(micros: Int64) {
        let value = max(0, micros)
        let index = Self.latenessBoundsMicros.firstIndex { value <= $0 } ?? Self.latenessBoundsMicros.count
        latenessCounts[index] += 1
        latenessCount += 1
        latenessSumMicros += value
        latenessMaxMicros = max(latenessMaxMicros, value)
    }

    public mutating func merge(_ other: GeneratorInterval) {
        inFlight += other.inFlight
        dropped += other.dropped
        connectionsBusy += other.connectionsBusy
        for index in latenessCounts.indices where index < other.latenessCounts.count { latenessCounts[index] += other.latenessCounts[index] }
        latenessCount += other.latenessCount
        latenessSumMicros += other.latenessSumMicros
        latenessMaxMicros = max(latenessMaxMicros, other.latenessMaxMicros)
    }
}
