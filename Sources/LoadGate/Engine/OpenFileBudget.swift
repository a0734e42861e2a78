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

    /// Descriptors a run of `load` needs at its peak, besides those already open beyond stdio
    /// (`alreadyOpen`: inherited from the parent, e.g. `exec 3<file`, take room from the limit too).
    public static func needed(for load: LoadModel, workers: Int?, alreadyOpen: Int = 0) -> Int {
        RunPlan.connections(for: load) + perWorker * RunPlan.workerCount(for: load, requested: workers) + reserve + alreadyOpen
    }

    /// Descriptors open now beyond stdin, stdout and stderr (counted in `reserve`).
    public static func openBeyondStdio() -> Int { max(0, (openNow() ?? 3) - 3) }

    /// Why `load` cannot run under the current limit, or nil when it fits. Descriptors already
    /// open count: the limit is on all of the process's descriptors, not only the run's.
    public static func problem(for load: LoadModel, workers: Int?) -> String? {
        let alreadyOpen = openBeyondStdio()
        let needed = needed(for: load, workers: workers, alreadyOpen: alreadyOpen)
        let limit = limits.soft
        guard needed > limit else { return nil }
        let held = alreadyOpen > 0 ? ", \(alreadyOpen) of them already open" : ""
        return "needs \(needed) open files, the limit is \(limit) (RLIMIT_NOFILE\(held)); raise it (ulimit -n) or lower the connections/VUs"
    }

    /// Descriptors this process has open now (nil where /proc is unavailable). When the directory
    /// cannot be opened for lack of descriptors (EMFILE/ENFILE), the process is at its limit.
    public static func openNow() -> Int? {
        guard let directory = opendir("/proc/self/fd") else {
            return errno == EMFILE || errno == ENFILE ? limits.soft : nil
        }
        defer { closedir(directory) }
        var entries = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { entries += 1 }
        }
        // The directory's own descriptor is listed too.
        return max(0, entries - 1)
    }

    private static func clamp(_ value: rlim_t) -> Int { value > rlim_t(Int.max) ? Int.max : Int(value) }
}
