import Testing
@testable import LoadGate

@Suite("Capacity search state machine")
struct CapacitySearchTests {
    /// Drives the search against a target that passes every rate up to `capacity`.
    static func search(capacity: Double, from: Double, to: Double, precision: Double = 0.05) -> (CapacitySearch, [Double]) {
        var search = CapacitySearch(from: from, to: to, precision: precision)
        var tried: [Double] = []
        while let rate = search.nextRate(), tried.count < 100 {
            tried.append(rate)
            search.record(rate: rate, outcome: rate <= capacity ? .passed : .failed)
        }
        return (search, tried)
    }

    @Test("rates double until the first breach, then bisect to within the precision")
    func growThenBisect() {
        let (search, tried) = Self.search(capacity: 200, from: 25, to: 1_000)
        #expect(Array(tried.prefix(5)) == [25, 50, 100, 200, 400])
        #expect(tried[5] == 300)
        #expect(search.highestPassing == 200)
        #expect(search.lowestFailing! / search.highestPassing! - 1 <= 0.05)
        #expect(search.nextRate() == nil)
    }

    @Test("the found capacity is within the precision of the true one for many capacities", arguments: [7.0, 40, 199, 333, 777])
    func converges(capacity: Double) {
        let (search, _) = Self.search(capacity: capacity, from: 5, to: 10_000)
        let found = search.highestPassing!
        #expect(found <= capacity)
        #expect(capacity / found - 1 <= 0.051, "found \(found) for \(capacity)")
    }

    @Test("no breach up to the ceiling ends at the ceiling")
    func ceiling() {
        let (search, tried) = Self.search(capacity: 1e9, from: 100, to: 500)
        #expect(tried == [100, 200, 400, 500])
        #expect(search.reachedCeiling)
    }

    @Test("a breach at the first rate ends the search with no passing rate")
    func belowFrom() {
        let (search, tried) = Self.search(capacity: 5, from: 10, to: 100)
        #expect(tried == [10])
        #expect(search.highestPassing == nil)
    }

    @Test("a generator-limited step stops the search, keeping the lower bound")
    func generatorLimited() {
        var search = CapacitySearch(from: 10, to: 1_000)
        search.record(rate: 10, outcome: .passed)
        search.record(rate: 20, outcome: .generatorLimited)
        #expect(search.nextRate() == nil)
        #expect(search.highestPassing == 10)
        #expect(search.generatorLimitedAt == 20)
    }
}
