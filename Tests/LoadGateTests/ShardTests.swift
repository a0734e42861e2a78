import Foundation
import Testing
@testable import LoadGate

/// Shard selection, load splitting and numbering as pure logic.
@Suite("Shards: parse, split, number")
struct ShardTests {
    @Test("--shard takes I/N (0-based) and refuses indices outside 0..<N")
    func parseExplicit() throws {
        #expect(try ShardSpec.parse("2/3", environment: [:]).get() == ShardSpec(index: 2, count: 3))
        for bad in ["3/3", "-1/3", "1", "a/3", "1/0", "1/3/4", "/3", "0/100000"] {
            #expect((try? ShardSpec.parse(bad, environment: [:]).get()) == nil, "\(bad)")
        }
    }

    @Test("--shard auto/N reads JOB_COMPLETION_INDEX (0-based) or GitLab's CI_NODE_INDEX (1-based)")
    func parseAuto() throws {
        #expect(try ShardSpec.parse("auto/4", environment: ["JOB_COMPLETION_INDEX": "3"]).get() == ShardSpec(index: 3, count: 4))
        #expect(try ShardSpec.parse("auto/4", environment: ["CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"]).get() == ShardSpec(index: 0, count: 4))
        #expect(try ShardSpec.parse("auto/4", environment: ["CI_NODE_INDEX": "4"]).get() == ShardSpec(index: 3, count: 4))
        #expect((try? ShardSpec.parse("auto/4", environment: ["CI_NODE_INDEX": "0"]).get()) == nil, "GitLab counts from 1")
        #expect((try? ShardSpec.parse("auto/4", environment: ["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"]).get()) == nil)
        #expect((try? ShardSpec.parse("auto/4", environment: ["JOB_COMPLETION_INDEX": "4"]).get()) == nil)
        #expect((try? ShardSpec.parse("auto/4", environment: [:]).get()) == nil)
    }

    static func scenario(_ load: LoadModel) throws -> Scenario {
        var scenario = try ScenarioLoader(environment: [:]).load(bytes: Array("""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"vus": 1, "duration": "1s"},
         "steps": [{"name": "a", "request": {"method": "GET", "path": "/"}}]}
        """.utf8), file: "s.json")
        scenario.load = load
        return scenario
    }

    @Test("the open model's rate and stages are divided by N; together the shards offer the whole rate")
    func splitOpen() throws {
        let load = OpenLoad(rate: 300, durationNanos: 10_000_000_000, stages: [.init(durationNanos: 5_000_000_000, rate: 90)],
                            connections: 10, maxLatenessNanos: 1, tolerancePercent: 5)
        let parts = try (0..<3).map { try ShardSplit.apply(Self.scenario(.open(load)), shard: ShardSpec(index: $0, count: 3)).get() }
        let rates = parts.map { if case let .open(open) = $0.load { return open.rate } else { return 0 } }
        #expect(rates == [100, 100, 100])
        let stageRates = parts.map { if case let .open(open) = $0.load { return open.stages[0].rate } else { return 0 } }
        #expect(stageRates == [30, 30, 30])
        let connections = parts.map { if case let .open(open) = $0.load { return open.connections } else { return 0 } }
        #expect(connections == [4, 3, 3])
        #expect(parts.allSatisfy { $0.load.durationNanos == 10_000_000_000 })
    }

    @Test("VUs, stage VUs and iterations are split with the remainder spread over the first shards")
    func splitClosed() throws {
        let load = ClosedLoad(vus: 10, durationNanos: 1, iterations: 100, stages: [.init(durationNanos: 1, vus: 4)])
        let parts = try (0..<3).map { try ShardSplit.apply(Self.scenario(.closed(load)), shard: ShardSpec(index: $0, count: 3)).get() }
        let closed = parts.compactMap { if case let .closed(c) = $0.load { return c } else { return nil } }
        #expect(closed.map(\.vus) == [4, 3, 3])
        #expect(closed.map { $0.iterations ?? 0 } == [34, 33, 33])
        #expect(closed.map { $0.stages[0].vus } == [2, 1, 1])
    }

    @Test("a split that would leave a shard without VUs, iterations or connections is refused")
    func splitRefusals() throws {
        let tooFewVUs = ClosedLoad(vus: 2, durationNanos: 1, iterations: nil, stages: [])
        #expect((try? ShardSplit.apply(Self.scenario(.closed(tooFewVUs)), shard: ShardSpec(index: 0, count: 3)).get()) == nil)
        let tooFewIterations = ClosedLoad(vus: 6, durationNanos: 1, iterations: 2, stages: [])
        #expect((try? ShardSplit.apply(Self.scenario(.closed(tooFewIterations)), shard: ShardSpec(index: 0, count: 3)).get()) == nil)
        let tooFewConnections = OpenLoad(rate: 10, durationNanos: 1, stages: [], connections: 2, maxLatenessNanos: 1, tolerancePercent: 5)
        #expect((try? ShardSplit.apply(Self.scenario(.open(tooFewConnections)), shard: ShardSpec(index: 0, count: 3)).get()) == nil)
    }

    @Test("shard numbering gives all shards together exactly the VU numbers 1...V and distinct iterations")
    func numbering() {
        let total = 10, shards = 3
        var vus: [Int] = []
        var iterations: Set<Int64> = []
        for index in 0..<shards {
            let numbering = ShardNumbering(index: index, count: shards)
            let local = ShardSplit.share(total, ShardSpec(index: index, count: shards))
            vus += (1...local).map(numbering.vu)
            for iteration in 0..<Int64(50) { iterations.insert(numbering.iteration(iteration)) }
        }
        #expect(vus.sorted() == Array(1...total))
        #expect(iterations.count == 150)
        #expect(ShardNumbering.single.vu(7) == 7 && ShardNumbering.single.iteration(7) == 7)
    }

    @Test("--start-at parses RFC 3339 and refuses a time more than a few seconds in the past")
    func startTime() throws {
        let date = try #require(StartTime.parse("2026-11-26T10:00:00Z"))
        #expect(date.timeIntervalSince1970 == 1_795_687_200)
        #expect(StartTime.parse("2026-11-26T10:00:00.250Z")?.timeIntervalSince1970 == 1_795_687_200.25)
        #expect(StartTime.parse("2026-11-26T11:00:00+01:00") == date)
        #expect(StartTime.parse("tomorrow") == nil)
        #expect(StartTime.problem(with: date, now: date.addingTimeInterval(3)) == nil)
        #expect(StartTime.problem(with: date, now: date.addingTimeInterval(30)) != nil)
        #expect(StartTime.problem(with: date, now: date.addingTimeInterval(-600)) == nil)
    }
}
