/// Gives one shard its share of a scenario's load, applied to the decoded `LoadModel` (the file
/// and its validation are untouched): the open model's rate and every stage's rate divided by N
/// (connections split); the closed model's VUs, each stage's VUs and the iteration budget split
/// with the remainder going to the first shards. Durations stay: shards run side by side.
/// Together the shards offer exactly the scenario's load.
public enum ShardSplit {
    public static func apply(_ scenario: Scenario, shard: ShardSpec) -> Result<Scenario, ShardError> {
        guard shard.count > 1 else { return .success(scenario) }
        var split = scenario
        switch scenario.load {
        case var .open(load):
            let n = Double(shard.count)
            load.rate /= n
            load.stages = load.stages.map { OpenLoad.Stage(durationNanos: $0.durationNanos, rate: $0.rate / n) }
            guard load.connections >= shard.count else {
                return .failure(ShardError("\(load.connections) connection(s) cannot be split across \(shard.count) shards; use at least \(shard.count)"))
            }
            load.connections = share(load.connections, shard)
            split.load = .open(load)
        case var .closed(load):
            guard load.peakVUs >= shard.count else {
                return .failure(ShardError("\(load.peakVUs) VU(s) cannot be split across \(shard.count) shards; some shards would have none"))
            }
            load.vus = share(load.vus, shard)
            load.stages = load.stages.map { ClosedLoad.Stage(durationNanos: $0.durationNanos, vus: share($0.vus, shard)) }
            if let iterations = load.iterations {
                guard iterations >= shard.count else {
                    return .failure(ShardError("\(iterations) iteration(s) cannot be split across \(shard.count) shards; some shards would have none"))
                }
                load.iterations = share(iterations, shard)
            }
            split.load = .closed(load)
        }
        return .success(split)
    }

    /// Shard `index`'s part of `total`: total/N, plus one for the first total%N shards.
    public static func share(_ total: Int, _ shard: ShardSpec) -> Int {
        total / shard.count + (shard.index < total % shard.count ? 1 : 0)
    }
}
