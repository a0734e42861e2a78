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
