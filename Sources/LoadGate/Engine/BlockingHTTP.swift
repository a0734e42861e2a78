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
        /// The body went past `maxBodyBytes` (only the first `maxBodyBytes` are kept; with
        /// `abortOverLimit` the transfer was stopped there and `result` is a write error).
        var bodyTooLarge = false

        var errorText: String { result == CURLE_OK ? "HTTP \(status)" : String(cString: curl_easy_strerror(result)) }
    }

    private final class Sink {
        var body: [UInt8] = []
        var headerBytes: [UInt8] = []
        var maxBodyBytes = 4 << 20
        var abortOverLimit = false
        var bodyTooLarge = false
    }

    /// Response headers kept at most (a peer sending megabytes of headers is cut off).
    static let maxHeaderBytes = 256 << 10

    private static let collectHeaders: lg_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let userdata, let pointer else { return length }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        if sink.headerBytes.count + length > maxHeaderBytes { return 0 }  // aborts: CURLE_WRITE_ERROR
        pointer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.headerBytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
        return length
    }

    private static let collect: lg_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let userdata, let pointer else { return length }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        let room = sink.maxBodyBytes - sink.body.count
        if length > room {
            sink.bodyTooLarge = true
            if sink.abortOverLimit { return 0 }  // aborts: CURLE_WRITE_ERROR
        }
        let kept = min(length, max(room, 0))
        if kept > 0 {
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: kept)) }
        }
        return length
    }

    /// - Parameters:
    ///   - maxBodyBytes: body bytes kept; with `abortOverLimit` a larger body stops the transfer.
    ///   - configure: extra options (TLS version bounds, --resolve, certificate info).
    static func perform(method: String, url: String, headers: [String], tls: TLSOptions, timeoutMs: Int = 5_000,
                        body: [UInt8]? = nil, wantCertificate: Bool = false,
                        maxBodyBytes: Int = 4 << 20, abortOverLimit: Bool = false,
                        configure: (CurlEasy.Handle) -> Void = { _ in }) -> Response {
        guard let handle = curl_easy_init() else { return Response(result: CURLE_OUT_OF_MEMORY, status: 0, body: []) }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        sink.maxBodyBytes = maxBodyBytes
        sink.abortOverLimit = abortOverLimit
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        CurlEasy.restrictToHTTP(handle)
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
        response.bodyTooLarge = sink.bodyTooLarge
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

extension BlockingHTTP {
    /// One request of a `performAll` batch.
    struct Request {
        var method: String
        var url: String
        var headers: [String]
    }

    private static let discard: lg_write_callback = { _, size, count, _ in size * count }

    /// Sends every request at once (one libcurl multi handle) and waits at most `totalTimeoutMs`
    /// for all of them together: shutdown work such as ending sessions must be bounded in total,
    /// whatever the peer does. Bodies are discarded. Returns each request's status (0: no answer).
    static func performAll(_ requests: [Request], tls: TLSOptions, totalTimeoutMs: Int) -> [Int] {
        guard !requests.isEmpty, let multi = curl_multi_init() else { return requests.map { _ in 0 } }
        defer { curl_multi_cleanup(multi) }
        var handles: [CurlEasy.Handle] = []
        var lists: [UnsafeMutablePointer<curl_slist>?] = []
        defer {
            for handle in handles { curl_multi_remove_handle(multi, handle); curl_easy_cleanup(handle) }
            for list in lists { curl_slist_free_all(list) }
        }
        for request in requests {
            guard let handle = curl_easy_init() else { continue }
            var list: UnsafeMutablePointer<curl_slist>?
            for header in request.headers { list = curl_slist_append(list, header) }
            handles.append(handle)
            lists.append(list)
            CurlEasy.restrictToHTTP(handle)
            CurlEasy.set(handle, CURLOPT_URL, LineBreakGuard.urlToSend(request.url, headerLines: request.headers))
            CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
            CurlEasy.set(handle, CURLOPT_NOPROXY, "*")
            CurlEasy.set(handle, CURLOPT_TIMEOUT_MS, max(1, totalTimeoutMs))
            CurlEasy.set(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, totalTimeoutMs))
            CurlEasy.set(handle, CURLOPT_USERAGENT, "loadgate/\(LoadGateVersion.current)")
            CurlEasy.applyTLS(handle, tls)
            if request.method == "HEAD" { CurlEasy.set(handle, CURLOPT_NOBODY, 1) } else if request.method != "GET" {
                CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, request.method)
            }
            _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
            _ = lg_easy_setopt_write(handle, CURLOPT_WRITEFUNCTION, discard)
            curl_multi_add_handle(multi, handle)
        }
        let deadline = MonotonicClock.nowNanos() + Int64(totalTimeoutMs) * 1_000_000
        var running: Int32 = 1
        var statuses = [CurlEasy.Handle: Int]()
        while running > 0 {
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                statuses[handle] = lg_msg_result(message) == CURLE_OK ? CurlEasy.info(handle, long: CURLINFO_RESPONSE_CODE) : 0
            }
            let left = deadline - MonotonicClock.nowNanos()
            if running == 0 || left <= 0 { break }
            curl_multi_poll(multi, nil, 0, Int32(min(100, max(1, left / 1_000_000))), nil)
        }
        return handles.map { statuses[$0] ?? 0 }
    }
}
