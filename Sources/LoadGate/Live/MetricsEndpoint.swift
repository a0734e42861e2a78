import Foundation

/// The `--metrics-listen` HTTP listener: GET /metrics serves `LiveMetrics` as Prometheus text,
/// or OpenMetrics when the Accept header asks for it. Loopback unless the user names another
/// IPv4 address explicitly (the port alone means 127.0.0.1). Reuses the demo target's small
/// POSIX-socket server.
public final class MetricsEndpoint: @unchecked Sendable {
    public let metrics: LiveMetrics
    /// "127.0.0.1:9464", with the port the OS chose when 0 was asked for.
    public let address: String
    private let server: LoopbackHTTPServer

    /// Parses `HOST:PORT` or `PORT`; nil with the reason when it is neither.
    public static func parse(_ text: String) -> Result<(host: String, port: Int), MetricsListenError> {
        var host = "127.0.0.1"
        var portText = text
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
            if host.hasPrefix("[") || host.contains(":") {
                return .failure(.init(message: "\"\(text)\": IPv6 is not supported by the metrics listener; use 127.0.0.1:PORT"))
            }
            if host == "localhost" { host = "127.0.0.1" }
            var address = in_addr()
            guard inet_pton(AF_INET, host, &address) == 1 else {
                return .failure(.init(message: "\"\(text)\": \"\(host)\" is not an IPv4 address; use e.g. 127.0.0.1:9464"))
            }
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.init(message: "\"\(text)\": \"\(portText)\" is not a port; use e.g. 127.0.0.1:9464"))
        }
        return .success((host, port))
    }

    public struct MetricsListenError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Starts listening; the address was given explicitly, so a non-loopback one is honoured.
    public init(listen text: String, metrics: LiveMetrics = LiveMetrics()) throws(MetricsListenError) {
        let (host, port): (String, Int)
        switch Self.parse(text) {
        case let .success(parsed): (host, port) = parsed
        case let .failure(error): throw error
        }
        self.metrics = metrics
        do {
            server = try LoopbackHTTPServer(host: host, port: port, allowAnyAddress: true) { [metrics] request in
                guard request.path == "/metrics" else {
                    return .init(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("not found; metrics are at /metrics\n".utf8))
                }
                guard request.method == "GET" || request.method == "HEAD" else {
                    return .init(status: 405, headers: [("Allow", "GET, HEAD")])
                }
                let openMetrics = PrometheusExposition.wantsOpenMetrics(accept: request.headers["accept"])
                let body = Array(metrics.render(openMetrics: openMetrics).utf8)
                return .init(status: 200, headers: [("Content-Type", openMetrics ? PrometheusExposition.openMetricsContentType : PrometheusExposition.textContentType)],
                             body: request.method == "HEAD" ? [] : body)
            }
        } catch {
            throw MetricsListenError(message: "\"\(text)\": \(error.description)")
        }
        address = "\(host):\(server.port)"
    }

    public func stop() { server.stop() }
}
