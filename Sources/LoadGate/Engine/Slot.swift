import CCurl

/// One connection's worth of state: a libcurl easy handle (which keeps its connection alive
/// between requests) and the iteration it is running. In the closed model a slot is a virtual
/// user; in the open model a connection that iterations are started on. Owned by one worker.
final class Slot {
    let handle: CurlEasy.Handle
    /// 1-based number exposed as `${vu}`.
    let vu: Int
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

    static let bodyCaptureLimit = 1 << 20

    init(handle: CurlEasy.Handle, vu: Int, index: Int) {
        self.handle = handle
        self.vu = vu
        self.index = index
        body.reserveCapacity(16 * 1024)
    }

    func releaseDynamicHeaders() {
        if let dynamicHeaders { curl_slist_free_all(dynamicHeaders) }
        dynamicHeaders = nil
    }

    deinit {
        releaseDynamicHeaders()
        curl_easy_cleanup(handle)
    }
}

/// libcurl's write callback: counts bytes and captures the body when a step's expectations need it.
let slotWriteCallback: lg_write_callback = { pointer, size, count, userdata in
    let length = size * count
    guard let userdata else { return length }
    let slot = Unmanaged<Slot>.fromOpaque(userdata).takeUnretainedValue()
    slot.bytesIn += Int64(length)
    if slot.captureBody, let pointer, slot.body.count < Slot.bodyCaptureLimit {
        let take = min(length, Slot.bodyCaptureLimit - slot.body.count)
        pointer.withMemoryRebound(to: UInt8.self, capacity: take) { bytes in
            slot.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: take))
        }
    }
    return length
}
