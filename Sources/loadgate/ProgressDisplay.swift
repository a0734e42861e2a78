#if canImport(Glibc)
import Glibc
#endif
import LoadGate

/// Live progress on stderr: one rewritten line on a terminal, a plain line every 5 seconds
/// otherwise (CI logs), nothing with --quiet.
struct ProgressDisplay {
    enum Mode { case terminal, log, quiet }

    let mode: Mode
    private var lastLineNanos = MonotonicClock.nowNanos()

    init(quiet: Bool) {
        mode = quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .terminal : .log)
    }

    mutating func update(_ progress: RunProgress) {
        let now = MonotonicClock.nowNanos()
        switch mode {
        case .quiet: return
        case .terminal:
            guard now - lastLineNanos >= 200_000_000 else { return }
            StandardError.write("\r\u{1B}[K" + Self.line(progress))
        case .log:
            guard now - lastLineNanos >= 5 * DurationText.nanosPerSecond else { return }
            StandardError.write(Self.line(progress) + "\n")
        }
        lastLineNanos = now
    }

    func finish() {
        if mode == .terminal { StandardError.write("\r\u{1B}[K") }
    }

    static func line(_ progress: RunProgress) -> String {
        let elapsed = DurationText.format(nanos: progress.elapsedNanos / 100_000_000 * 100_000_000)
        let planned = DurationText.format(nanos: progress.plannedNanos)
        let rps = progress.lastSecond.map { String($0.requests) } ?? "-"
        let p95 = progress.lastSecond?.p95Micros.map { DurationText.format(nanos: $0 * 1_000) } ?? "-"
        let errors = progress.requests > 0 ? SLOEvaluator.formatPercent(Double(progress.failures) / Double(progress.requests) * 100) : "0%"
        return "[\(elapsed) / \(planned)] \(rps) req/s  p95 \(p95)  errors \(errors)  (\(progress.requests) requests)"
    }
}

/// Unbuffered writes to stderr/stdout (progress must appear immediately).
enum StandardError {
    static func write(_ text: String) { writeAll(text, to: STDERR_FILENO) }
}

enum StandardOutput {
    static func write(_ text: String) { writeAll(text, to: STDOUT_FILENO) }
}

/// Every byte LoadGate prints passes here: secrets masked (`Redaction.apply`) and control
/// characters from peers or names made visible (`TerminalText`); only the progress line's own
/// leading "return + erase line" is kept as a control sequence.
private func writeAll(_ text: String, to descriptor: Int32) {
    let lineReset = "\r\u{1B}[K"
    let keepReset = text.hasPrefix(lineReset)
    let body = keepReset ? String(text.dropFirst(lineReset.count)) : text
    let bytes = Array(((keepReset ? lineReset : "") + TerminalText.escape(Redaction.apply(body), keepLayout: true)).utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}
