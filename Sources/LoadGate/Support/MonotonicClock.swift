#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only clock the engine reads: CLOCK_MONOTONIC in nanoseconds, immune to wall-clock steps.
/// Pacing and schedules never read it; they are pure functions of elapsed time.
public enum MonotonicClock {
    @inline(__always)
    public static func nowNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
