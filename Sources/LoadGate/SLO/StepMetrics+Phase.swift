extension StepMetrics {
    /// The histogram an SLO's phase (`latency`, `service`, `ttfb`, ...) is judged on. Lives with
    /// the SLOs so that metrics do not depend on the SLO language.
    public func histogram(for phase: SLOExpression.Phase) -> Histogram {
        switch phase {
        case .latency: return latency
        case .service: return serviceTime
        case .ttfb: return ttfb
        case .connect: return connect
        case .tls: return tls
        case .dns: return dns
        }
    }
}

extension Histogram {
    /// An SLO statistic (`p95`, `mean`, `min`, `max`) of this histogram in microseconds, nil
    /// without samples. The one place a statistic is read, for SLOs and the generator's checks.
    public func micros(of statistic: SLOExpression.Statistic) -> Double? {
        switch statistic {
        case let .percentile(p): return value(atPercentile: p).map(Double.init)
        case .mean: return mean
        case .min: return min.map(Double.init)
        case .max: return max.map(Double.init)
        }
    }
}
