/// The search for the highest offered rate that meets the SLOs, as a pure state machine: it
/// proposes the next rate from the outcomes so far and never runs anything itself.
///
/// Geometric growth (×`growth`) from `from` until the first breach or `to`, then bisection between
/// the highest passing and the lowest failing rate until they are within `precision` of each other.
public struct CapacitySearch: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed
        /// The generator, not the target, limited this step: the search stops.
        case generatorLimited
    }

    public let from: Double
    public let to: Double
    /// Relative gap at which bisection stops, e.g. 0.05.
    public let precision: Double
    public let growth: Double

    public private(set) var highestPassing: Double?
    public private(set) var lowestFailing: Double?
    public private(set) var generatorLimitedAt: Double?
    private var nextGrowthRate: Double?

    public init(from: Double, to: Double, precision: Double = 0.05, growth: Double = 2) {
        precondition(from > 0 && to >= from, "MUST have 0 < from <= to")
        precondition(precision > 0 && growth > 1, "precision MUST BE > 0 and growth > 1")
        self.from = from
        self.to = to
        self.precision = precision
        self.growth = growth
        self.nextGrowthRate = from
    }

    /// The next rate to try, or nil when the search is over.
    public func nextRate() -> Double? {
        if generatorLimitedAt != nil { return nil }
        if let failing = lowestFailing {
            guard let passing = highestPassing else { return nil }  // the first rate already failed
            if failing / passing - 1 <= precision { return nil }
            return ((passing + failing) / 2).rounded(toSignificant: 4)
        }
        return nextGrowthRate
    }

    public mutating func record(rate: Double, outcome: Outcome) {
        switch outcome {
        case .passed:
            highestPassing = max(highestPassing ?? 0, rate)
            if lowestFailing == nil {
                nextGrowthRate = rate >= to ? nil : min(to, (rate * growth).rounded(toSignificant: 4))
            }
        case .failed:
            lowestFailing = min(lowestFailing ?? .infinity, rate)
        case .generatorLimited:
            generatorLimitedAt = rate
        }
    }

    /// True when the search ended without any breach up to `to`.
    public var reachedCeiling: Bool { lowestFailing == nil && generatorLimitedAt == nil && highestPassing == to }
}

extension Double {
    func rounded(toSignificant digits: Int) -> Double {
        guard self != 0, isFinite else { return self }
        var scale = 1.0
        var magnitude = abs(self)
        while magnitude >= 10 { magnitude /= 10; scale *= 10 }
        while magnitude < 1 { magnitude *= 10; scale /= 10 }
        var factor = 1.0
        for _ in 1..<digits { factor *= 10 }
        return (self / scale * factor).rounded() / factor * scale
    }
}
