import LoadGate

/// `--metrics-listen ADDR` for run, gate and capacity: starts the Prometheus endpoint before any
/// load (a bad or busy address is exit 2 before anything runs) and says where it listens.
enum MetricsListenOption {

    static func start(_ text: String?, quiet: Bool) throws(CLIError) -> MetricsEndpoint? {
        guard let text else { return nil }
        do {
            let endpoint = try MetricsEndpoint(listen: text)
            if !quiet { StandardError.write("metrics: http://\(endpoint.address)/metrics\n") }
            return endpoint
        } catch {
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--metrics-listen", message: error.message)]))
        }
    }
}
