import CCurl
import Foundation

/// A TLS connection to a Redis node through libcurl's connect-only mode (libcurl 7.88: with
/// `CURLOPT_CONNECT_ONLY` an `https://` URL makes `curl_easy_perform` connect and complete the TLS
/// handshake, then `curl_easy_send`/`curl_easy_recv` move raw bytes through OpenSSL). Verification
/// is on unless `insecure`; the certificate is checked against `serverName` when given (the TCP
/// connection still goes to `host`, through `CURLOPT_CONNECT_TO`), so cluster nodes announced by IP
/// are verified against the name their certificate carries.
final class RedisTLSStream: RedisStream {
    private var handle: CurlEasy.Handle?
    private var socket: curl_socket_t
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let connectTo: UnsafeMutablePointer<curl_slist>?
    private let deadlineNanos: Int64
    private let budgetNanos: Int64
    /// A client certificate was presented, and nothing has been received yet: a TLS 1.3 server
    /// judges the certificate after the handshake, and depending on timing its refusal shows as
    /// an alert or as the connection closed or reset before the first reply.
    private var presentedCertificate = false
    private var receivedAny = false

    private init(handle: CurlEasy.Handle, socket: curl_socket_t, errorBuffer: UnsafeMutablePointer<CChar>,
                 connectTo: UnsafeMutablePointer<curl_slist>?, deadlineNanos: Int64, budgetNanos: Int64) {
        self.handle = handle
        self.socket = socket
        self.errorBuffer = errorBuffer
        self.connectTo = connectTo
        self.deadlineNanos = deadlineNanos
        self.budgetNanos = budgetNanos
    }

    static func open(host: String, port: Int, tls: TLSOptions, serverName: String?, deadlineNanos: Int64,
                     budgetNanos: Int64) -> Result<RedisTLSStream, RedisStreamFailure> {
        let left = deadlineNanos - MonotonicClock.nowNanos()
        guard left > 0 else { return .failure(.timeout(budgetNanos)) }
        guard let handle = curl_easy_init() else { return .failure(.other("curl_easy_init failed")) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let name = serverName ?? host
        var connectTo: UnsafeMutablePointer<curl_slist>?
        if let serverName, serverName != host {
            connectTo = curl_slist_append(nil, "\(bracketed(serverName)):\(port):\(bracketed(host)):\(port)")
            _ = lg_easy_setopt_slist(handle, CURLOPT_CONNECT_TO, connectTo)
        }
        CurlEasy.set(handle, CURLOPT_URL, "https://\(bracketed(name)):\(port)/")
        CurlEasy.set(handle, CURLOPT_PROTOCOLS_STR, "https")
        CurlEasy.set(handle, CURLOPT_CONNECT_ONLY, 1)
        CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
        CurlEasy.set(handle, CURLOPT_NOPROXY, "*")
        CurlEasy.set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, left / 1_000_000)))
        _ = lg_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        CurlEasy.applyTLS(handle, tls)
        let stream = RedisTLSStream(handle: handle, socket: -1, errorBuffer: errorBuffer, connectTo: connectTo,
                                    deadlineNanos: deadlineNanos, budgetNanos: budgetNanos)
        stream.presentedCertificate = tls.certFile != nil
        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else { return .failure(stream.failure(result, during: "handshake")) }
        var socket: curl_socket_t = -1
        guard lg_easy_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket >= 0 else {
            return .failure(.other("no socket after the TLS handshake"))
        }
        stream.socket = socket
        return .success(stream)
    }

    private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    func write(_ bytes: [UInt8]) -> RedisStreamFailure? {
        guard let handle else { return .closed }
        var sent = 0
        while sent < bytes.count {
            var count = 0
            errorBuffer[0] = 0
            let result = bytes.withUnsafeBytes { curl_easy_send(handle, $0.baseAddress! + sent, bytes.count - sent, &count) }
            if result == CURLE_AGAIN {
                guard pollUntil(socket, events: Int16(POLLOUT), deadlineNanos: deadlineNanos) else { return .timeout(budgetNanos) }
                continue
            }
            guard result == CURLE_OK else { return failure(result, during: "send") }
            sent += count
        }
        return nil
    }

    func read(into buffer: inout [UInt8]) -> RedisStreamFailure? {
        guard let handle else { return .closed }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            var count = 0
            errorBuffer[0] = 0
            // libcurl may hold decrypted bytes already: ask it first, wait on the socket only on AGAIN.
            let result = chunk.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &count) }
            if result == CURLE_AGAIN {
                guard pollUntil(socket, events: Int16(POLLIN), deadlineNanos: deadlineNanos) else { return .timeout(budgetNanos) }
                continue
            }
            guard result == CURLE_OK else { return failure(result, during: "receive") }
            if count == 0 { return closedBeforeReply ?? .closed }
            receivedAny = true
            buffer += chunk[0..<count]
            return nil
        }
    }

    /// Names the party at fault from libcurl's code and OpenSSL's reason text.
    private func failure(_ code: CURLcode, during phase: String) -> RedisStreamFailure {
        let reason = String(cString: errorBuffer)
        let detail = reason.isEmpty ? String(cString: curl_easy_strerror(code)) : reason
        let lowered = detail.lowercased()
        if lowered.contains("certificate required") { return .clientCertificateRequired(detail) }
        // TLS 1.3 servers judge the client certificate after the client's handshake is done, so
        // these alerts arrive on the first read; "handshake failure" during the handshake itself
        // can be anything (ciphers, versions), so it is not blamed on the certificate.
        let refusalAlerts = ["alert unknown ca", "alert bad certificate", "alert certificate unknown", "alert decrypt error",
                             "alert certificate expired", "alert certificate revoked", "alert unsupported certificate"]
        if refusalAlerts.contains(where: lowered.contains) || (phase != "handshake" && lowered.contains("alert handshake failure")) {
            return .clientCertificateRefused(detail)
        }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return phase == "handshake" ? .handshakeTimeout(budgetNanos) : .timeout(budgetNanos)
        case CURLE_COULDNT_CONNECT:
            let osError = handle.map { CurlEasy.info($0, long: CURLINFO_OS_ERRNO) } ?? 0
            return osError == Int(ECONNREFUSED) ? .refused : .other(detail)
        case CURLE_PEER_FAILED_VERIFICATION: return .untrustedServer(detail)
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: return .localConfiguration(detail)
        case CURLE_SSL_CONNECT_ERROR:
            if lowered.contains("wrong version number") || lowered.contains("packet length too long") || lowered.contains("record layer failure")
                || lowered.contains("unexpected eof") || lowered.contains("connection reset") || lowered.contains("syscall") {
                return .notTLS(detail)
            }
            return .other("TLS handshake failed: \(detail)")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            let dropped = ["reset", "eof", "broken pipe"].contains(where: lowered.contains)
            guard dropped else { return closedBeforeReply ?? .other("TLS \(phase) failed: \(detail)") }
            return closedBeforeReply ?? .closed
        default: return .other("TLS \(phase) failed: \(detail)")
        }
    }

    /// The server dropped the connection after the handshake and before any reply: a TLS 1.3
    /// server's verdict on the client certificate arriving as a close instead of an alert (refused
    /// when one was presented, required when none was).
    private var closedBeforeReply: RedisStreamFailure? {
        guard !receivedAny else { return nil }
        let observed = "the connection was dropped right after the TLS handshake, before any reply"
        return presentedCertificate ? .clientCertificateRefused(observed) : .clientCertificateRequired(observed)
    }

    func close() {
        if let handle { curl_easy_cleanup(handle) }
        handle = nil
    }

    deinit {
        close()
        errorBuffer.deallocate()
        curl_slist_free_all(connectTo)
    }
}
