/// Makes `${vu}` and `${iteration}` unique across shards: shard I of N numbers its local VU k
/// (1-based) as (k-1)·N + I + 1 and its local iteration j (0-based) as j·N + I. Because the split
/// gives the remainder of VUs to the first shards, the VU numbers of all shards together are
/// exactly 1...V, as in one process.
public struct ShardNumbering: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public static let single = ShardNumbering(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(_ shard: ShardSpec) { self.init(index: shard.index, count: shard.count) }

    @inline(__always)
    public func vu(_ local: Int) -> Int { (local - 1) * count + index + 1 }

    @inline(__always)
    public func iteration(_ local: Int64) -> Int64 { local * Int64(count) + Int64(index) }
}
