import Foundation

/// Tells workers to stop early (Ctrl-C). Set by the runner's thread, read by workers once per
/// event-loop turn; the runner also wakes each worker's curl_multi_poll.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    var isStopped: Bool { lock.withLock { stopped } }
    func stop() { lock.withLock { stopped = true } }
}

/// Per-second snapshots from one worker to the runner thread. `watermark`: every second below it
/// has been posted (or had no completions) by this worker.
final class IntervalMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshots: [IntervalSnapshot] = []
    private var watermark = 0

    func post(_ snapshot: IntervalSnapshot?, watermark: Int) {
        lock.withLock {
            if let snapshot, !snapshot.isEmpty { snapshots.append(snapshot) }
            self.watermark = max(self.watermark, watermark)
        }
    }

    func drain() -> (snapshots: [IntervalSnapshot], watermark: Int) {
        lock.withLock {
            defer { snapshots.removeAll() }
            return (snapshots, watermark)
        }
    }
}
