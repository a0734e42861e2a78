import CCurl
import Foundation

/// `tls` (chain, hostname, minimum version, expiry, mTLS both ways) and `http` checks, through libcurl.
enum TLSAndHTTPChecks {
    static func tls(_ spec: TLSSpec, timeoutNanos: Int64) -> CheckOutcome {
        let name = spec.serverName ?? spec.host
        let url = "https://\(name.contains(":") ? "[\(name)]" : name):\(spec.port)\(spec.path)"
        var expectedParts = ["handshake with a chain valid for \(name)"]
        if let minimum = spec.minVersion { expectedParts.append("TLS below \(minimum) refused") }
        if let days = spec.minDaysValid { expectedParts.append("certificate valid for at least \(days) more days") }
        if spec.clientAuthRequired { expectedParts.append("client certificate required (refused without one and with a foreign one)") }
        let expected = expectedParts.joined(separator: "; ")
        let timeoutMs = Int(max(1, timeoutNanos / 1_000_000))
        var options = TLSOptions()
        options.caFile = spec.caFile
        func attempt(cert: String?, key: String?, maxVersion: Int? = nil, certificate: Bool = false) -> BlockingHTTP.Response {
            var tls = options
            tls.certFile = cert
            tls.keyFile = key
            return BlockingHTTP.perform(method: "GET", url: url, headers: [], tls: tls, timeoutMs: timeoutMs, wantCertificate: certificate) { handle in
                if spec.serverName != nil {
                    let list = curl_slist_append(nil, "\(name):\(spec.port):\(spec.host)")
                    _ = lg_easy_setopt_slist(handle, CURLOPT_RESOLVE, list)
                    // libcurl copies CURLOPT_RESOLVE entries into its DNS cache at perform time;
                    // the list is leaked deliberately for the life of this short-lived handle.
                }
                if let maxVersion { CurlEasy.set(handle, CURLOPT_SSLVERSION, maxVersion) }
            }
        }
        var observed: [String] = []
        let accepted = attempt(cert: spec.clientAuthRequired ? spec.clientCert : nil, key: spec.clientAuthRequired ? spec.clientKey : nil, certificate: true)
        guard accepted.result == CURLE_OK else {
            if clientCertificateUnusable(accepted.result) {
                return .error(expected, accepted.errorText, "clientCert/clientKey cannot be used by the client: \(accepted.errorText)")
            }
            return .fail(expected, accepted.errorText, "the TLS handshake failed: \(accepted.errorText)")
        }
        if spec.clientAuthRequired && accepted.status == 400 {
            return .fail(expected, "HTTP 400 with the client certificate", "the server refused the configured client certificate")
        }
        observed.append("handshake ok (HTTP \(accepted.status))")
        // Every certificate served counts: an intermediate that expires next week breaks the chain
        // as surely as the leaf.
        let chain = accepted.certificateChain.isEmpty && accepted.certificateExpiry != nil
            ? [(subject: "leaf", expiry: accepted.certificateExpiry ?? "")] : accepted.certificateChain
        var soonest: (subject: String, days: Int)?
        for (index, certificate) in chain.enumerated() {
            let days = daysUntil(certificate.expiry)
            let label = index == 0 ? "" : "chain[\(index)] \(certificate.subject.trimmingCharacters(in: .whitespaces)) "
            observed.append("\(label)expires \(certificate.expiry.trimmingCharacters(in: .whitespaces))" + (days.map { " (\($0) days)" } ?? ""))
            if let days, soonest == nil || days < soonest!.days { soonest = (index == 0 ? "the certificate" : "chain certificate \(certificate.subject.trimmingCharacters(in: .whitespaces))", days) }
        }
        if let minimum = spec.minDaysValid {
            guard let soonest else {
                return .fail(expected, observed.joined(separator: "; "), "the served certificates' expiry dates could not be read")
            }
            if soonest.days < minimum {
                return .fail(expected, observed.joined(separator: "; "), "\(soonest.subject) expires in \(soonest.days) days (< \(minimum))")
            }
        }
        if spec.minVersion == "1.3" {
            // TLS 1.2 at most (CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2).
            let lower = attempt(cert: spec.clientCert, key: spec.clientKey, maxVersion: 6 | (6 << 16))
            if lower.result == CURLE_OK {
                observed.append("TLS 1.2 accepted")
                return .fail(expected, observed.joined(separator: "; "), "the server accepts TLS 1.2; it must require TLS 1.3")
            }
            observed.append("TLS 1.2 refused (\(lower.errorText))")
        }
        if spec.clientAuthRequired {
            for (label, cert, key) in [("without a client certificate", nil as String?, nil as String?),
                                       ("with a foreign certificate", spec.foreignCert, spec.foreignKey)] {
                if label.hasPrefix("with a foreign"), cert == nil { continue }
                let response = attempt(cert: cert, key: key)
                if response.result == CURLE_OK && response.status != 400 {
                    observed.append("\(label): HTTP \(response.status)")
                    return .fail(expected, observed.joined(separator: "; "), "the server answered \(label): mTLS is not enforced")
                }
                // Only the server refusing counts as refused: a foreign certificate the client could
                // not load or present proves nothing about the server.
                if clientCertificateUnusable(response.result) {
                    observed.append("\(label): not presented (\(response.errorText))")
                    return .error(expected, observed.joined(separator: "; "), "foreignCert/foreignKey cannot be used by the client (\(response.errorText)): mTLS enforcement against a foreign certificate was not tested")
                }
                if response.result != CURLE_OK && !refusedByServer(response.result) {
                    observed.append("\(label): \(response.errorText)")
                    return .fail(expected, observed.joined(separator: "; "), "the attempt \(label) ended with \(response.errorText), not with a refusal: mTLS enforcement was not shown")
                }
                observed.append("\(label): refused (\(response.result == CURLE_OK ? "HTTP 400" : response.errorText))")
            }
        }
        return .pass(expected, observed.joined(separator: "; "))
    }

    /// libcurl could not load or use the client certificate or key: the item's configuration.
    static func clientCertificateUnusable(_ code: CURLcode) -> Bool {
        [CURLE_SSL_CERTPROBLEM, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED].contains(code)
    }

    /// The server ended the TLS session (an alert during or right after the handshake).
    static func refusedByServer(_ code: CURLcode) -> Bool {
        [CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM].contains(code)
    }

    /// Days from now until an OpenSSL date such as "Nov 25 12:00:00 2027 GMT".
    static func daysUntil(_ text: String) -> Int? {
        let normalized = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        guard let date = formatter.date(from: normalized) else { return nil }
        return Int((date.timeIntervalSinceNow / 86_400).rounded(.down))
    }

    static func http(_ spec: HTTPCheckSpec, timeoutNanos: Int64) -> CheckOutcome {
        var expectedParts = ["\(spec.method) \(Redaction.url(spec.url)) -> \(spec.status.map(String.init).joined(separator: "|"))"]
        if let header = spec.header { expectedParts.append("header \(header.name) contains \"\(header.contains)\"") }
        if let contains = spec.bodyContains { expectedParts.append("body contains \"\(contains)\"") }
        if let regex = spec.bodyRegex { expectedParts.append("body matches /\(regex)/") }
        for (pointer, value) in spec.json { expectedParts.append("\(pointer) = \(JSONWriter.serialize(value, pretty: false))") }
        if let bound = spec.maxLatencyNanos { expectedParts.append("within \(DurationText.format(nanos: bound))") }
        let expected = expectedParts.joined(separator: ", ")
        var tls = TLSOptions()
        tls.caFile = spec.caFile
        tls.certFile = spec.clientCert
        tls.keyFile = spec.clientKey
        tls.insecure = spec.insecure
        let response = BlockingHTTP.perform(method: spec.method, url: spec.url, headers: spec.headers, tls: tls,
                                            timeoutMs: Int(max(1, timeoutNanos / 1_000_000)), body: spec.body.map { Array($0.utf8) })
        guard response.result == CURLE_OK else { return .fail(expected, response.errorText, "no HTTP response: \(response.errorText)") }
        var observed = ["HTTP \(response.status) in \(DurationText.format(nanos: response.totalNanos))"]
        let bodyText = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
        guard spec.status.contains(response.status) else {
            observed.append("body: \(bodyText.prefix(200))")
            return .fail(expected, observed.joined(separator: "; "), "unexpected status \(response.status)")
        }
        if let header = spec.header {
            let value = response.headers[header.name.lowercased()]
            observed.append("\(header.name): \(value ?? "(absent)")")
            guard let value, value.contains(header.contains) else { return .fail(expected, observed.joined(separator: "; "), "header \(header.name) does not contain \"\(header.contains)\"") }
        }
        if let contains = spec.bodyContains, !bodyText.contains(contains) {
            observed.append("body: \(bodyText.prefix(200))")
            return .fail(expected, observed.joined(separator: "; "), "the body does not contain \"\(contains)\"")
        }
        if let pattern = spec.bodyRegex, let regex = try? NSRegularExpression(pattern: pattern),
           regex.firstMatch(in: bodyText, range: NSRange(bodyText.startIndex..., in: bodyText)) == nil {
            observed.append("body: \(bodyText.prefix(200))")
            return .fail(expected, observed.joined(separator: "; "), "the body does not match /\(pattern)/")
        }
        if !spec.json.isEmpty {
            guard let document = try? JSONParser.parse(response.body) else { return .fail(expected, observed.joined(separator: "; "), "the body is not JSON") }
            for (pointer, value) in spec.json {
                let actual = document.resolve(pointer: pointer)
                observed.append("\(pointer) = \(actual.map { JSONWriter.serialize($0, pretty: false) } ?? "(absent)")")
                if actual != value { return .fail(expected, observed.joined(separator: "; "), "\(pointer) differs") }
            }
        }
        if let bound = spec.maxLatencyNanos, response.totalNanos > bound {
            return .fail(expected, observed.joined(separator: "; "), "answered in \(DurationText.format(nanos: response.totalNanos)), over \(DurationText.format(nanos: bound))")
        }
        return .pass(expected, observed.joined(separator: "; "))
    }
}
