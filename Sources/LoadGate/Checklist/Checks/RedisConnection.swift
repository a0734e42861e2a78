import Foundation

/// Opens an authenticated RESP session to one Redis node, plaintext or TLS, within the check's
/// deadline, and says precisely why not: refused, timeout, TLS trust, client certificate, TLS spoken
/// to a plaintext port or plaintext to a TLS port, AUTH refused. Plaintext sessions send PING before
/// AUTH, so a password is never sent to a port that turns out not to answer plaintext Redis.
struct RedisConnector {
    var tls: TLSOptions?
    var serverName: String?
    var username: String?
    var password: String?
    var deadlineNanos: Int64
    var budgetNanos: Int64

    struct Failure: Error {
        /// What was seen, for the evidence.
        var observed: String
        /// Why the item fails.
        var message: String
        /// True when the item's own configuration is at fault (unreadable TLS files).
        var isConfiguration = false
    }

    func connect(host: String, port: Int) -> Result<RESPClient, Failure> {
        let address = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
        let opened: Result<RedisStream, RedisStreamFailure>
        if let tls {
            opened = RedisTLSStream.open(host: host, port: port, tls: tls, serverName: serverName, deadlineNanos: deadlineNanos, budgetNanos: budgetNanos)
                .map { $0 as RedisStream }
        } else {
            opened = RedisPlainStream.open(host: host, port: port, deadlineNanos: deadlineNanos, budgetNanos: budgetNanos).map { $0 as RedisStream }
        }
        let stream: RedisStream
        switch opened {
        case let .failure(failure):
            let isConfiguration: Bool
            if case .localConfiguration = failure { isConfiguration = true } else { isConfiguration = false }
            return .failure(Failure(observed: failure.description, message: "cannot reach Redis at \(address): \(failure)", isConfiguration: isConfiguration))
        case let .success(opened): stream = opened
        }
        let client = RESPClient(stream: stream)
        // A first PING (answered -NOAUTH when a password is needed) surfaces a TLS port spoken to in
        // plaintext, and a TLS 1.3 server's client-certificate alert, before any password is sent.
        let probe = client.command(["PING"])
        if case .broken = probe {
            switch client.failure {
            case .closed? where tls == nil:
                return .failure(Failure(observed: "PING: connection closed without a reply",
                                        message: "\(address) closed the connection without answering a plaintext PING: the port may expect TLS (set \"tls\": true)"))
            case .timeout?, nil:
                return .failure(Failure(observed: "PING: \(probe.display)", message: "PING answered \(probe.display)"))
            case let failure?:
                return .failure(Failure(observed: "PING: \(probe.display)", message: "\(address): \(failure)"))
            }
        }
        if let password {
            let reply = client.command(username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            guard reply == .simple("OK") else {
                if case .broken = reply, let failure = client.failure {
                    return .failure(Failure(observed: "AUTH: \(reply.display)", message: "\(address): \(failure)"))
                }
                return .failure(Failure(observed: "AUTH: \(reply.display)", message: "AUTH refused: \(reply.display)"))
            }
        }
        return .success(client)
    }
}
