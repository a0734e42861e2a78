import Foundation

/// File descriptors as a resource of the generator, not of the target: the soft limit is raised
/// to the hard one at start, a plan that needs more than the limit is refused before it runs
/// ("needs N open files, the limit is M"), and EMFILE during a run is classed as the generator's
/// (`generator-file-limit`, verdict invalid), never as connect failures blamed on the target.
public enum OpenFileBudget {
    /// Descriptors kept for the process itself: stdio, the results files, libcurl's DNS
    /// resolver threads, MCP session DELETEs, the agent card fetch.
    public static let reserve = 32
    /// Per worker thread: the multi handle's wakeup pair, its epoll-less poll set and the timerfd.
    public static let perWorker = 4

    /// The soft and hard RLIMIT_NOFILE now in force.
    public static var limits: (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit (done once at start); returns the soft limit.
    @discardableResult
    public static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return limits.soft }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limits.soft
    }

    /// Descriptors a run of `load` needs at its peak.
    public static func needed(for load: LoadModel, workers: Int?) -> Int {
        RunPlan.connections(for: load) + perWorker * RunPlan.workerCount(for: load, requested: workers) + reserve
    }

    /// Why `load` cannot run under the current limit, or nil when it fits.
    public static func problem(for load: LoadModel, workers: Int?) -> String? {
        let needed = needed(for: load, workers: workers)
        let limit = limits.soft
        guard needed > limit else { return nil }
        return "needs \(needed) open files, the limit is \(limit) (RLIMIT_NOFILE); raise it (ulimit -n) or lower the connections/VUs"
    }

    /// Descriptors this process has open now (nil where /proc is unavailable).
    public static func openNow() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map { max(0, $0.count - 1) }
    }

    private static func clamp(_ value: rlim_t) -> Int { value > rlim_t(Int.max) ? Int.max : Int(value) }
}
