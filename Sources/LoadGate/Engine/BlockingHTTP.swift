import CCurl

/// A single blocking libcurl request, for the few calls made outside the load loop: reading an
/// A2A agent card before the run and ending MCP sessions (DELETE) after it.
enum BlockingHTTP {
    struct Response {
        var result: CURLcode
        var status: Int
        var body: [UInt8]
        var headers: [String: String] = [:]
        var totalNanos: Int64 = 0
        /// The leaf certificate's "Expire date" from CURLINFO_CERTINFO, when asked for.
        var certificateExpiry: String?
        /// Every certificate the server sent (leaf first): subject and "Expire date", when asked for.
        var certificateChain: [(subject: String, expiry: String)] = []

        var errorText: String { result == CURLE_OK ? "HTTP \(status)" : String(cString: curl_easy_strerror(result)) }
    }

    private final class Sink {
        var body: [UInt8] = []
        var headerBytes: [UInt8] = []
    }

    private static let collectHeaders: lg_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let userdata, let pointer else { return length }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        pointer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.headerBytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
        return length
    }

    private static let collect: lg_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let userdata, let pointer else { return length }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        if sink.body.count < 4 << 20 {
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
        }
        return length
    }

    /// - Parameter configure: extra options (TLS version bounds, --resolve, certificate info).
    static func perform(method: String, url: String, headers: [String], tls: TLSOptions, timeoutMs: Int = 5_000,
                        body: [UInt8]? = nil, wantCertificate: Bool = false,
                        configure: (CurlEasy.Handle) -> Void = { _ in }) -> Response {
        guard let handle = curl_easy_init() else { return Response(result: CURLE_OUT_OF_MEMORY, status: 0, body: []) }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        CurlEasy.set(handle, CURLOPT_URL, url)
        CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
        CurlEasy.set(handle, CURLOPT_NOPROXY, "*")
        CurlEasy.set(handle, CURLOPT_TIMEOUT_MS, timeoutMs)
        CurlEasy.set(handle, CURLOPT_USERAGENT, "loadgate/\(LoadGateVersion.current)")
        CurlEasy.applyTLS(handle, tls)
        if let body {
            _ = lg_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { _ = lg_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        }
        if method == "HEAD" { CurlEasy.set(handle, CURLOPT_NOBODY, 1) } else if method != "GET" || body != nil {
            CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, method)
        }
        if wantCertificate { CurlEasy.set(handle, CURLOPT_CERTINFO, 1) }
        _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        CurlEasy.setCallbacks(handle, body: collect, headers: collectHeaders, context: Unmanaged.passUnretained(sink).toOpaque())
        configure(handle)
        let started = MonotonicClock.nowNanos()
        let result = curl_easy_perform(handle)
        var response = Response(result: result, status: result == CURLE_OK ? CurlEasy.info(handle, long: CURLINFO_RESPONSE_CODE) : 0,
                                body: sink.body, totalNanos: MonotonicClock.nowNanos() - started)
        for rawLine in String(decoding: sink.headerBytes, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            let line = String(rawLine)
            if line.hasPrefix("HTTP/") { response.headers.removeAll(); continue }
            if let colon = line.firstIndex(of: ":") {
                response.headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        if wantCertificate {
            var info: UnsafeMutablePointer<curl_certinfo>?
            if lg_easy_getinfo_certinfo(handle, &info) == CURLE_OK, let info {
                for index in 0..<Int(info.pointee.num_of_certs) {
                    guard var entry = info.pointee.certinfo[index] else { continue }
                    var subject = "", expiry = ""
                    while true {
                        let text = String(cString: entry.pointee.data)
                        if text.hasPrefix("Expire date:") { expiry = String(text.dropFirst("Expire date:".count)) }
                        if text.hasPrefix("Subject:") { subject = String(text.dropFirst("Subject:".count)) }
                        guard let next = entry.pointee.next else { break }
                        entry = next
                    }
                    if index == 0 { response.certificateExpiry = expiry }
                    response.certificateChain.append((subject: subject, expiry: expiry))
                }
            }
        }
        return response
    }
}
