import CCurl

/// Puts requests on a slot's libcurl easy handle: the options fixed for a connection (once), a
/// plain step's URL, headers, method and body (a static step is configured once and reused with
/// no allocation; a templated one renders per request), a protocol exchange, and reading what
/// libcurl measured afterwards. Every handle option the engine sets is set here.
enum RequestSetup {
    /// Options that never change for a slot: set once when the worker creates it.
    static func configureConnection(_ slot: Slot, plan: RunPlan) {
        let handle = slot.handle
        let scenario = plan.scenario
        CurlEasy.restrictToHTTP(handle)
        CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
        CurlEasy.set(handle, CURLOPT_TCP_NODELAY, 1)
        CurlEasy.set(handle, CURLOPT_USERAGENT, "loadgate/\(LoadGateVersion.current)")
        if plan.noProxy { CurlEasy.set(handle, CURLOPT_NOPROXY, "*") }
        CurlEasy.set(handle, CURLOPT_HTTP_VERSION, scenario.httpVersion == .http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        if scenario.httpVersion == .http2 { CurlEasy.set(handle, CURLOPT_PIPEWAIT, 1) }
        CurlEasy.applyTLS(handle, scenario.tls)
        let context = Unmanaged.passUnretained(slot).toOpaque()
        CurlEasy.setCallbacks(handle, body: slotWriteCallback, headers: slotHeaderCallback, context: context)
        _ = lg_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context)
        _ = lg_easy_keep_socket_errno(handle, slot.socketErrno)
    }

    /// Configures a plain HTTP step's request on the slot's handle.
    static func configureStep(_ slot: Slot, prepared: PreparedStep) {
        let handle = slot.handle
        slot.captureHeaders = false
        if prepared.isStatic {
            if slot.configuredStep != prepared.index {
                CurlEasy.set(handle, CURLOPT_URL, prepared.staticURL)
                _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, prepared.staticHeaders)
                prepared.applyMethod(handle, body: prepared.staticBody.map { UnsafeBufferPointer($0) }, copy: false)
                slot.requestBodyBytes = prepared.sendsBody ? prepared.staticBody?.count ?? 0 : 0
                slot.releaseDynamicHeaders()
                slot.configuredStep = prepared.index
            }
        } else {
            // Per-request rendering allocates; only steps that use ${vu}/${iteration}/${uuid}/${now} pay.
            let step = prepared.step
            let headers = step.headers.map { ($0.name, $0.value.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)) }
            let url = step.url.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)
            // A rendered value with CR/LF/NUL is never put on the wire (it fails as `protocol`).
            CurlEasy.set(handle, CURLOPT_URL, LineBreakGuard.urlToSend(url, headerValues: headers.map(\.1)))
            slot.releaseDynamicHeaders()
            slot.dynamicHeaders = CurlEasy.slist(headers)
            _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, slot.dynamicHeaders)
            if let body = step.body {
                let bytes = Array(body.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured).utf8)
                bytes.withUnsafeBufferPointer { prepared.applyMethod(handle, body: $0, copy: true) }
                slot.requestBodyBytes = prepared.sendsBody ? bytes.count : 0
            } else {
                prepared.applyMethod(handle, body: nil, copy: false)
                slot.requestBodyBytes = 0
            }
            slot.configuredStep = -1
        }
        slot.expectResponse(captureBody: prepared.needsBody, bodyLimit: prepared.step.maxBodyBytes)
    }

    /// Configures one exchange of a protocol step (headers and body as the flow built them).
    static func configureExchange(_ slot: Slot, request: ExchangeRequest, timeoutNanos: Int64, maxBodyBytes: Int) {
        let handle = slot.handle
        CurlEasy.set(handle, CURLOPT_URL, LineBreakGuard.urlToSend(request.url, headerLines: request.headers))
        slot.releaseDynamicHeaders()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { list = curl_slist_append(list, header) }
        list = curl_slist_append(list, "Expect:")
        slot.dynamicHeaders = list
        _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, nil)
        CurlEasy.set(handle, CURLOPT_NOBODY, 0)
        slot.requestBodyBytes = request.body?.count ?? 0
        if let body = request.body {
            _ = lg_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { _ = lg_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            if request.method != "POST" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        } else {
            CurlEasy.set(handle, CURLOPT_HTTPGET, 1)
            if request.method != "GET" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        }
        CurlEasy.set(handle, CURLOPT_TIMEOUT_MS, Int(max(1, timeoutNanos / 1_000_000)))
        CurlEasy.set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, Completion.connectTimeoutNanos(forTimeout: timeoutNanos) / 1_000_000)))
        slot.captureHeaders = true
        slot.configuredStep = -1
        slot.expectResponse(captureBody: true, bodyLimit: maxBodyBytes)
        slot.headerBytes.removeAll(keepingCapacity: true)
        slot.firstBodyNanos = 0
    }

    /// libcurl's MAX_INITIAL_POST_SIZE (lib/http.c): bodies below it travel with the request head.
    static let maxInitialPostSize = 64 * 1024

    /// What libcurl measured for the transfer that just ended on `slot`.
    static func timings(_ slot: Slot, result: CURLcode) -> TransferTimings {
        let handle = slot.handle
        var timings = TransferTimings()
        timings.bytesIn = slot.bytesIn
        // libcurl 7.88 sends a POST body under 64 KiB in one buffer with the head, and counts it in
        // CURLINFO_REQUEST_SIZE as well as in SIZE_UPLOAD; a larger one only in SIZE_UPLOAD.
        let requestSize = Int64(CurlEasy.info(handle, long: CURLINFO_REQUEST_SIZE))
        let bodyInHead = slot.requestBodyBytes > 0 && slot.requestBodyBytes < maxInitialPostSize
        timings.bytesOut = requestSize + (bodyInHead ? 0 : CurlEasy.info(handle, offset: CURLINFO_SIZE_UPLOAD_T))
        if result == CURLE_OK { timings.ttfbMicros = CurlEasy.info(handle, offset: CURLINFO_STARTTRANSFER_TIME_T) }
        if CurlEasy.info(handle, long: CURLINFO_NUM_CONNECTS) > 0 {
            timings.newConnection = true
            timings.dnsMicros = CurlEasy.info(handle, offset: CURLINFO_NAMELOOKUP_TIME_T)
            timings.connectedMicros = CurlEasy.info(handle, offset: CURLINFO_CONNECT_TIME_T)
            timings.handshakenMicros = CurlEasy.info(handle, offset: CURLINFO_APPCONNECT_TIME_T)
        }
        return timings
    }

    /// The system error behind a failed transfer, 0 when it succeeded: a socket that could not be
    /// opened (kept by the open-socket callback; libcurl itself reports 0 then), else CURLINFO_OS_ERRNO.
    static func osErrno(_ slot: Slot, result: CURLcode) -> Int {
        if result == CURLE_OK { return 0 }
        if slot.socketErrno.pointee != 0 { return Int(slot.socketErrno.pointee) }
        return CurlEasy.info(slot.handle, long: CURLINFO_OS_ERRNO)
    }

    /// The status of the response that just ended on `slot` (0: no response).
    static func status(_ slot: Slot, result: CURLcode) -> Int {
        result == CURLE_OK ? CurlEasy.info(slot.handle, long: CURLINFO_RESPONSE_CODE) : 0
    }
}
