import Foundation

/// Which part of a scaled-out test this process runs: shard `index` (0-based) of `count`. Parsed
/// from `--shard I/N`, or `--shard auto/N` where the engine says the index: a Kubernetes Indexed
/// Job's `JOB_COMPLETION_INDEX` (0-based) or GitLab's `CI_NODE_INDEX`/`CI_NODE_TOTAL` (1-based).
public struct ShardSpec: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public static let single = ShardSpec(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The largest shard count accepted (a typo guard, not a limit of the design).
    public static let maximumCount = 10_000

    /// Parses `I/N` or `auto/N`; the error is a message for the `--shard` diagnostic.
    public static func parse(_ text: String, environment: [String: String]) -> Result<ShardSpec, ShardError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]), (1...maximumCount).contains(count) else {
            return .failure(ShardError("\"\(text)\" is not I/N (0-based index I of N shards, N from 1 to \(maximumCount)), e.g. 0/3 or auto/3"))
        }
        if parts[0] == "auto" {
            if let raw = environment["JOB_COMPLETION_INDEX"], !raw.isEmpty {
                guard let index = Int(raw), (0..<count).contains(index) else {
                    return .failure(ShardError("JOB_COMPLETION_INDEX=\"\(raw)\" is not an index from 0 to \(count - 1)"))
                }
                return .success(ShardSpec(index: index, count: count))
            }
            if let raw = environment["CI_NODE_INDEX"], !raw.isEmpty {
                guard let node = Int(raw), (1...count).contains(node) else {
                    return .failure(ShardError("CI_NODE_INDEX=\"\(raw)\" is not a node from 1 to \(count) (GitLab counts from 1)"))
                }
                if let total = environment["CI_NODE_TOTAL"], !total.isEmpty, Int(total) != count {
                    return .failure(ShardError("CI_NODE_TOTAL=\(total) but --shard says \(count) shards; make parallel: and N agree"))
                }
                return .success(ShardSpec(index: node - 1, count: count))
            }
            return .failure(ShardError("auto needs JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or CI_NODE_INDEX (GitLab parallel:) in the environment"))
        }
        guard let index = Int(parts[0]), (0..<count).contains(index) else {
            return .failure(ShardError("index \"\(parts[0])\" must be from 0 to \(count - 1) (shards are numbered from 0)"))
        }
        return .success(ShardSpec(index: index, count: count))
    }
}

/// A shard problem, rendered as one diagnostic by the command line.
public struct ShardError: Error, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
