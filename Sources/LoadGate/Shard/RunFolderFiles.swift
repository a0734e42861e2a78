import Foundation

/// The files a run folder holds beside `summary.json` so that shards can be merged exactly:
/// `latency.hlog` (per second and step, written while the run goes) and `totals.hlog` (the run's
/// other histograms, one interval each: `service:<step>`, `ttfb:<step>`, `connect:<step>`,
/// `tls:<step>`, `dns:<step>`, and `lateness`), both HdrHistogram interval logs.
public enum RunFolderFiles {
    public static let latencyLog = "latency.hlog"
    public static let totalsLog = "totals.hlog"

    /// The histogram kinds of `totals.hlog`, by tag prefix.
    static var totalKinds: [(prefix: String, keyPath: WritableKeyPath<StepMetrics, Histogram>)] {
        [("service", \.serviceTime), ("ttfb", \.ttfb), ("connect", \.connect), ("tls", \.tls), ("dns", \.dns)]
    }
    static let latenessTag = "lateness"

    public static func writeTotals(_ result: RunResult, to directory: URL) throws {
        let writer = try IntervalLogWriter(url: directory.appendingPathComponent(totalsLog), startedAt: result.startedAt, tags: [])
        let length = Double(result.elapsedNanos) / 1e9
        for (index, metrics) in result.steps.enumerated() where index < result.metricNames.count {
            for kind in totalKinds where !metrics[keyPath: kind.keyPath].isEmpty {
                writer.append(tag: "\(kind.prefix):\(result.metricNames[index])", startSeconds: 0, lengthSeconds: length,
                              histogram: metrics[keyPath: kind.keyPath])
            }
        }
        if !result.lateness.isEmpty {
            writer.append(tag: latenessTag, startSeconds: 0, lengthSeconds: length, histogram: result.lateness)
        }
        try writer.finish()
    }

    /// `summary.json`'s `shard` member: which part of the test this run was.
    public static func shardMember(_ shard: ShardSpec, startAt: Date?) -> JSONValue {
        .object([("index", .number(Double(shard.index))), ("count", .number(Double(shard.count))),
                 ("startAt", startAt.map { .string(Timestamp.iso8601($0)) } ?? .null)])
    }

    /// `summary` (a JSON object) with `members` appended.
    public static func adding(_ members: [(key: String, value: JSONValue)], to summary: JSONValue) -> JSONValue {
        guard case var .object(existing) = summary else { return summary }
        existing += members
        return .object(existing)
    }
}
