import Foundation
import CCurl

/// One connection's worth of state: a libcurl easy handle (which keeps its connection alive
/// between requests) and the iteration it is running. In the closed model a slot is a virtual
/// user; in the open model a connection that iterations are started on. Owned by one worker.
final class Slot {
    let handle: CurlEasy.Handle
    /// 1-based number exposed as `${vu}` (unique across shards: see `ShardNumbering`).
    let vu: Int
    /// 1-based rank of this VU within this process: it is active while rank <= the active VU count.
    let rank: Int
    /// Index into the worker's slot array.
    let index: Int

    var busy = false
    var iteration: Int64 = 0
    /// False for warm-up iterations: they run but record nothing.
    var measured = true
    var stepIndex = 0
    /// Latency of the current request is measured from here (the iteration's intended start
    /// for an open model's first step, the actual send otherwise).
    var latencyStartNanos: Int64 = 0
    var sentNanos: Int64 = 0
    /// Which step's static options are currently set on the handle (-1: none).
    var configuredStep = -1

    var captureBody = false
    var body: [UInt8] = []
    var bytesIn: Int64 = 0
    var dynamicHeaders: UnsafeMutablePointer<curl_slist>?
    /// Body bytes of the request on the handle (for `RequestSetup.timings`' byte count).
    var requestBodyBytes = 0

    // Protocol steps (MCP, A2A, workflow): one flow per step, several exchanges per execution.
    var flows: [StepFlow?] = []
    /// `${captured.NAME}` values of the current iteration.
    var captured: [String: String] = [:]
    var iterationsDone: Int64 = 0
    /// A protocol step's latency runs from here to its end; its service time from `stepSentNanos`.
    var stepLatencyStartNanos: Int64 = 0
    var stepSentNanos: Int64 = 0
    /// The last exchange's status and libcurl result (for a protocol step's error samples).
    var lastExchangeStatus = 0
    var lastExchangeResult = CURLE_OK
    /// Response headers and first-byte time are captured for protocol exchanges only.
    var captureHeaders = false
    var headerBytes: [UInt8] = []
    var firstBodyNanos: Int64 = 0
    /// True while the easy handle is attached to the multi handle.
    var inMulti = false
    /// libcurl: this step's request was already sent once more on a fresh connection
    /// (`Worker.retriesOnFreshConnection`).
    var retriedOnFreshConnection = false
    /// A polling flow's next request and when to send it.
    var pendingRequest: ExchangeRequest?
    var sleepUntilNanos: Int64 = 0
    /// Waiting to be resumed by the worker (e.g. for a shared MCP session's handshake).
    var parked = false

    /// The current step's `maxBodyBytes`: a body beyond it stops the transfer (write error) and
    /// sets `bodyTooLarge`.
    var bodyLimit = Step.defaultMaxBodyBytes
    var bodyTooLarge = false
    /// errno of a socket libcurl could not open for this slot's transfer (0: none), written by
    /// the open-socket callback: EMFILE there is the generator's, not a connect failure.
    let socketErrno = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    init(handle: CurlEasy.Handle, vu: Int, rank: Int? = nil, index: Int) {
        self.handle = handle
        self.vu = vu
        self.rank = rank ?? vu
        self.index = index
        body.reserveCapacity(16 * 1024)
        socketErrno.initialize(to: 0)
    }

    /// Readies the response side for the next transfer, whichever engine carries it: what the
    /// body callback (libcurl's, or the native connection) counts, keeps and limits.
    func expectResponse(captureBody: Bool, bodyLimit: Int) {
        self.captureBody = captureBody
        body.removeAll(keepingCapacity: true)
        bytesIn = 0
        self.bodyLimit = bodyLimit
        bodyTooLarge = false
        socketErrno.pointee = 0
    }

    /// Takes body bytes as they arrive (either engine): counts `counting` of them, and keeps
    /// `bytes` when the step reads the body. False when the body passed the step's limit: the
    /// transfer must stop (`bodyTooLarge` is set).
    func takeBody(_ bytes: UnsafeRawBufferPointer, counting: Int) -> Bool {
        bytesIn += Int64(counting)
        if bytesIn > Int64(bodyLimit) {
            bodyTooLarge = true
            return false
        }
        if captureBody, !bytes.isEmpty { body.append(contentsOf: bytes) }
        return true
    }

    func releaseDynamicHeaders() {
        if let dynamicHeaders { curl_slist_free_all(dynamicHeaders) }
        dynamicHeaders = nil
    }

    deinit {
        releaseDynamicHeaders()
        curl_easy_cleanup(handle)
        socketErrno.deallocate()
    }
}

/// libcurl's write callback: counts bytes and captures the body when a step's expectations need it.
let slotWriteCallback: lg_write_callback = { pointer, size, count, userdata in
    let length = size * count
    guard let userdata else { return length }
    let slot = Unmanaged<Slot>.fromOpaque(userdata).takeUnretainedValue()
    guard slot.takeBody(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : length), counting: length) else {
        return 0  // stops the transfer: CURLE_WRITE_ERROR
    }
    if slot.captureHeaders, slot.firstBodyNanos == 0, length > 0 { slot.firstBodyNanos = MonotonicClock.nowNanos() }
    return length
}

/// libcurl's header callback: keeps raw header lines for protocol exchanges (session ids, content type).
let slotHeaderCallback: lg_write_callback = { pointer, size, count, userdata in
    let length = size * count
    guard let userdata, let pointer else { return length }
    let slot = Unmanaged<Slot>.fromOpaque(userdata).takeUnretainedValue()
    if slot.captureHeaders, slot.headerBytes.count < 64 * 1024 {
        pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            slot.headerBytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
        }
    }
    return length
}

extension Slot {
    /// Response headers of the last exchange, names lowercased (the final response's, after any 1xx).
    func parsedHeaders() -> [String: String] {
        var headers: [String: String] = [:]
        for rawLine in String(decoding: headerBytes, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            let line = String(rawLine)
            if line.hasPrefix("HTTP/") { headers.removeAll(); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
