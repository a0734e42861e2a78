#if canImport(Glibc)
import Glibc
#endif

/// Turns Ctrl-C (SIGINT) and SIGTERM into a value instead of a handler with global state: the
/// signals are blocked before worker threads start (threads inherit the mask) and the runner's
/// wait polls for them with sigtimedwait. Commands that write results never unblock them again:
/// a second Ctrl-C (or a SIGTERM) during shutdown stays pending until the process exits, so it
/// cannot kill the process before the partial results are written (exit 3, `complete: false`).
struct SignalWatch {
    private var set = sigset_t()
    private var previous = sigset_t()

    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, &previous)
    }

    /// Sleeps up to `milliseconds`; true if SIGINT or SIGTERM arrived.
    func wait(milliseconds: Int) -> Bool {
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var signals = set
        return sigtimedwait(&signals, nil, &timeout) > 0
    }

    /// Unblocks the signals (only for commands with nothing left to write, such as `target`).
    mutating func restore() {
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
