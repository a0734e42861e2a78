import CCurl

/// A single blocking libcurl request, for the few calls made outside the load loop: reading an
/// A2A agent card before the run and ending MCP sessions (DELETE) after it.
enum BlockingHTTP {
    struct Response {
        var result: CURLcode
        var status: Int
        var body: [UInt8]
    }

    private final class Sink {
        var body: [UInt8] = []
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

    static func perform(method: String, url: String, headers: [String], tls: TLSOptions, timeoutMs: Int = 5_000) -> Response {
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
        CurlEasy.set(handle, CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0 : 1)
        CurlEasy.set(handle, CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0 : 2)
        if let ca = tls.caFile { CurlEasy.set(handle, CURLOPT_CAINFO, ca) }
        if let cert = tls.certFile { CurlEasy.set(handle, CURLOPT_SSLCERT, cert) }
        if let key = tls.keyFile { CurlEasy.set(handle, CURLOPT_SSLKEY, key) }
        if method != "GET" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, method) }
        _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = lg_easy_setopt_write(handle, CURLOPT_WRITEFUNCTION, collect)
        _ = lg_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        let result = curl_easy_perform(handle)
        let status = result == CURLE_OK ? CurlEasy.info(handle, long: CURLINFO_RESPONSE_CODE) : 0
        return Response(result: result, status: status, body: sink.body)
    }
}
