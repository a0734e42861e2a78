import CCurl

/// A step with everything that does not change between requests built once before the run:
/// its header list, body bytes and expectation needles. Shared read-only by all workers (libcurl
/// only reads header lists and POSTFIELDS buffers), freed when the run ends.
final class PreparedStep: @unchecked Sendable {
    let index: Int
    let step: Step
    /// Static parts; nil when the step renders per request.
    let staticURL: String?
    let staticHeaders: UnsafeMutablePointer<curl_slist>?
    let staticBody: UnsafeMutableBufferPointer<UInt8>?
    let isStatic: Bool
    let bodyNeedles: [[UInt8]]
    let needsBody: Bool
    /// The native engine's request head for a static step (nil: templated, or not native-ready).
    let nativeHead: UnsafeMutableRawBufferPointer?
    /// The step's body goes on the wire (a GET's or HEAD's never does, on either engine).
    let sendsBody: Bool

    init(index: Int, step: Step) {
        self.index = index
        self.step = step
        self.isStatic = step.isStatic
        if step.isStatic {
            staticURL = step.url.staticText
            staticHeaders = CurlEasy.slist(step.headers.map { ($0.name, $0.value.staticText) })
            if let body = step.body {
                let bytes = Array(body.staticText.utf8)
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
                _ = buffer.initialize(from: bytes)
                staticBody = UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
            } else {
                staticBody = nil
            }
        } else {
            staticURL = nil
            staticHeaders = nil
            staticBody = nil
        }
        sendsBody = step.body != nil && NativeRequest.bodyLength(method: step.method, body: 0) != nil
        if step.isStatic, let url = NativeURL(step.url.staticText) {
            let bytes = NativeRequest.head(method: step.method, url: url, headers: step.headers.map { ($0.name, $0.value.staticText) },
                                           bodyLength: NativeRequest.bodyLength(method: step.method, body: staticBody?.count))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
            buffer.copyBytes(from: bytes)
            nativeHead = buffer
        } else {
            nativeHead = nil
        }
        bodyNeedles = step.expect.bodyContains.map { Array($0.utf8) }
        needsBody = step.expect.needsBody || !step.capture.isEmpty  // captures read the body too
    }

    deinit {
        curl_slist_free_all(staticHeaders)
        if let staticBody, let base = staticBody.baseAddress { base.deallocate() }
        nativeHead?.deallocate()
    }

    /// Sets method and body options on `handle`. `body` must stay valid for the transfer when
    /// `copy` is false.
    func applyMethod(_ handle: CurlEasy.Handle, body: UnsafeBufferPointer<UInt8>?, copy: Bool) {
        CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, nil)
        CurlEasy.set(handle, CURLOPT_NOBODY, 0)
        switch step.method {
        case "GET":
            CurlEasy.set(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            CurlEasy.set(handle, CURLOPT_NOBODY, 1)
        default:
            if let body {
                _ = lg_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                if copy {
                    _ = lg_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeRawPointer(body.baseAddress))
                } else {
                    _ = lg_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeRawPointer(body.baseAddress))
                }
            } else if step.method == "POST" || step.method == "PUT" || step.method == "PATCH" {
                _ = lg_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                _ = lg_easy_setopt_string(handle, CURLOPT_POSTFIELDS, "")
            } else {
                CurlEasy.set(handle, CURLOPT_HTTPGET, 1)
            }
            if step.method != "POST" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, step.method) }
        }
        CurlEasy.set(handle, CURLOPT_TIMEOUT_MS, Int(max(1, step.timeoutNanos / 1_000_000)))
        CurlEasy.set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, Completion.connectTimeoutNanos(forTimeout: step.timeoutNanos) / 1_000_000)))
    }

    /// True when the captured body satisfies `bodyContains` and the JSON Pointer expectations.
    func bodyMeetsExpectations(_ body: [UInt8]) -> Bool {
        for needle in bodyNeedles where !body.containsSubsequence(needle) { return false }
        guard !step.expect.json.isEmpty else { return true }
        guard let document = try? JSONParser.parse(body) else { return false }
        for (pointer, expected) in step.expect.json where document.resolve(pointer: pointer) != expected { return false }
        return true
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= count else { return false }
        let first = needle[0]
        var index = 0
        let last = count - needle.count
        while index <= last {
            if self[index] == first {
                var matched = true
                for offset in 1..<needle.count where self[index + offset] != needle[offset] { matched = false; break }
                if matched { return true }
            }
            index += 1
        }
        return false
    }
}
