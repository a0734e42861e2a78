import Foundation

/// How busy the generator and its machine were during a step: this process's CPU time (getrusage),
/// the machine's idle share and the hypervisor's steal (/proc/stat). Evidence for "the generator
/// was the limit", or for "the generator's VM itself stalled".
public struct GeneratorLoad: Sendable, Equatable {
    /// CPU seconds this process used per wall second (2.0 = two cores busy).
    public var processCores: Double
    /// Share of the machine's CPU time that was idle, 0...100; nil where /proc/stat is unreadable.
    public var machineIdlePercent: Double?
    /// Share of the machine's CPU time the hypervisor gave to other guests while this VM's CPUs
    /// had work (steal), 0...100; nil where /proc/stat is unreadable. Stolen time stalls the
    /// generator whole: its timers fire late and replies wait unread, whatever its own load.
    public var machineStealPercent: Double? = nil

    /// A sample to diff against a later one.
    public struct Sample: Sendable {
        let wallNanos: Int64
        let processCPUSeconds: Double
        let machineIdle: UInt64?
        let machineTotal: UInt64?
        let machineSteal: UInt64?

        public static func now() -> Sample {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let times = readProcStat()
            return Sample(wallNanos: MonotonicClock.nowNanos(), processCPUSeconds: cpu, machineIdle: times?.idle,
                          machineTotal: times?.total, machineSteal: times?.steal)
        }

        /// The machine's CPU times (all CPUs) from the first line of /proc/stat.
        private static func readProcStat() -> (idle: UInt64, total: UInt64, steal: UInt64?)? {
            guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                  let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
            return times(procStatLine: line)
        }

        /// Idle (idle + iowait), total (user..steal) and steal (the 8th field, absent on old
        /// kernels) from a /proc/stat "cpu " line.
        static func times(procStatLine line: Substring) -> (idle: UInt64, total: UInt64, steal: UInt64?)? {
            let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
            guard fields.count >= 5 else { return nil }
            return (fields[3] + fields[4], fields.prefix(8).reduce(0, +), fields.count >= 8 ? fields[7] : nil)
        }
    }

    public static func between(_ start: Sample, _ end: Sample) -> GeneratorLoad {
        let wall = Double(end.wallNanos - start.wallNanos) / 1e9
        var idle: Double?
        var steal: Double?
        if let i0 = start.machineIdle, let t0 = start.machineTotal, let i1 = end.machineIdle, let t1 = end.machineTotal, t1 > t0 {
            idle = Double(i1 - i0) / Double(t1 - t0) * 100
            if let s0 = start.machineSteal, let s1 = end.machineSteal, s1 >= s0 { steal = Double(s1 - s0) / Double(t1 - t0) * 100 }
        }
        return GeneratorLoad(processCores: wall > 0 ? (end.processCPUSeconds - start.processCPUSeconds) / wall : 0,
                             machineIdlePercent: idle, machineStealPercent: steal)
    }
}
