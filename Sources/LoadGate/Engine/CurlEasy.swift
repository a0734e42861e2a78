import CCurl

/// Thin typed helpers over the CCurl shim. Setting an option can only fail for an unknown option
/// or out of memory; both are programming errors here, so results are checked with assert.
enum CurlEasy {
    typealias Handle = UnsafeMutableRawPointer

    @inline(__always)
    static func set(_ handle: Handle, _ option: CURLoption, _ value: Int) {
        let code = lg_easy_setopt_long(handle, option, value)
        assert(code == CURLE_OK, "curl_easy_setopt(\(option.rawValue)) failed: \(code.rawValue)")
    }

    @inline(__always)
    static func set(_ handle: Handle, _ option: CURLoption, _ value: String?) {
        let code: CURLcode
        if let value {
            code = value.withCString { lg_easy_setopt_string(handle, option, $0) }  // libcurl copies strings
        } else {
            code = lg_easy_setopt_pointer(handle, option, nil)
        }
        assert(code == CURLE_OK, "curl_easy_setopt(\(option.rawValue)) failed: \(code.rawValue)")
    }

    @inline(__always)
    static func info(_ handle: Handle, long info: CURLINFO) -> Int {
        var value = 0
        _ = lg_easy_getinfo_long(handle, info, &value)
        return value
    }

    @inline(__always)
    static func info(_ handle: Handle, offset info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        _ = lg_easy_getinfo_off(handle, info, &value)
        return Int64(value)
    }

    /// Only http and https, for the request and for any redirect: a URL from a peer (or a typo)
    /// must never make LoadGate read a file (`file://`) or write raw bytes to a port (`gopher://`,
    /// `telnet://`, `dict://`). Called for every handle LoadGate creates.
    static func restrictToHTTP(_ handle: Handle) {
        set(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        set(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Redirects are never followed (libcurl's default, kept explicit): a 3xx is recorded as
        // the status it is, and no request goes to a host the scenario did not name.
        set(handle, CURLOPT_FOLLOWLOCATION, 0)
    }

    /// Verification (on unless `insecure`), CA file and client certificate: one place for every handle.
    static func applyTLS(_ handle: Handle, _ tls: TLSOptions) {
        set(handle, CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0 : 1)
        set(handle, CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0 : 2)
        if let ca = tls.caFile { set(handle, CURLOPT_CAINFO, ca) }
        if let cert = tls.certFile { set(handle, CURLOPT_SSLCERT, cert) }
        if let key = tls.keyFile { set(handle, CURLOPT_SSLKEY, key) }
    }

    /// Body and header callbacks, with `context` handed to both.
    static func setCallbacks(_ handle: Handle, body: lg_write_callback, headers: lg_write_callback, context: UnsafeMutableRawPointer) {
        _ = lg_easy_setopt_write(handle, CURLOPT_WRITEFUNCTION, body)
        _ = lg_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = lg_easy_setopt_write(handle, CURLOPT_HEADERFUNCTION, headers)
        _ = lg_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    static func slist(_ headers: [(name: String, value: String)]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            // "Name;" sends an empty header; "Name:" alone would remove a header curl adds itself.
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            list = curl_slist_append(list, line)
        }
        // Never wait for "100 Continue": a load generator must not add a round trip to uploads.
        list = curl_slist_append(list, "Expect:")
        return list
    }

}
