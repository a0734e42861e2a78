/// Makes `${vu}` and `${iteration}` unique across shards: shard I of N numbers its local VU k
/// (1-based) as (k-1)·N + I + 1 and its local iteration j (0-based) as j·N + I. Because the split
/// gives the remainder of VUs to the first shards, the VU numbers of all shards together are
/// exactly 1...V, as in one process. The numbering is a function of the shard alone, so it is the
/// shard itself under the name the engine uses for it.
public typealias ShardNumbering = ShardSpec

extension ShardSpec {
    @inline(__always)
    public func vu(_ local: Int) -> Int { (local - 1) * count + index + 1 }

    @inline(__always)
    public func iteration(_ local: Int64) -> Int64 { local * Int64(count) + Int64(index) }
}
