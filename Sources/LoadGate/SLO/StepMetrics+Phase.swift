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
