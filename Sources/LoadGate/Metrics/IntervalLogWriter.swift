import Foundation

/// Streams an HdrHistogram interval log (`latency.hlog`) in the format of HdrHistogram's
/// `HistogramLogWriter` (log format 1.3): header comments, the legend, then one line per second and
/// step, `Tag=<step>,<start>,<length>,<max>,<histogram>`. Start times are seconds after
/// `#[BaseTime]` (the run's start), values are microseconds, `Interval_Max` is in milliseconds
/// (so it keeps the exact microsecond maximum).
///
/// Lines go to a hidden temporary file in the run folder as each second finishes (memory stays
/// flat however long the run); `finish()` syncs it and renames it into place, so a reader never
/// sees half a log. A write error is kept and reported by `finish()`, never thrown mid-run.
public final class IntervalLogWriter {
    public let url: URL
    private let temporaryURL: URL
    private var file: UnsafeMutablePointer<FILE>?
    private var failure: String?
    private let tags: [String]

    /// - Parameters:
    ///   - tags: the tag of each metric index (scenario steps, then protocol phases).
    ///   - startedAt: the run's start: `#[StartTime]` and `#[BaseTime]`.
    public init(url: URL, startedAt: Date, tags: [String]) throws {
        self.url = url
        self.tags = tags.map(Self.tag)
        temporaryURL = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        guard let handle = fopen(temporaryURL.path, "w") else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        file = handle
        let seconds = startedAt.timeIntervalSince1970
        put("#[Logged with \(LoadGateVersion.name) \(LoadGateVersion.current)]\n")
        put("#[Histogram log format version 1.3]\n")
        put("#[StartTime: \(Self.fixed3(seconds)) (seconds since epoch), \(Timestamp.iso8601(startedAt, fractional: true))]\n")
        put("#[BaseTime: \(Self.fixed3(seconds)) (seconds since epoch)]\n")
        put("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n")
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryURL.path)
        }
    }

    /// One line per metric that recorded latency in this second.
    public func append(_ snapshot: IntervalSnapshot) {
        for (index, step) in snapshot.steps.enumerated() where index < tags.count && !step.latency.isEmpty {
            append(tag: tags[index], startSeconds: Double(snapshot.second), lengthSeconds: Double(snapshot.spanNanos) / 1e9,
                   histogram: step.latency)
        }
        // Each finished second reaches the disk now (an interrupted or killed run keeps it).
        if failure == nil, let file, fflush(file) != 0 { failure = String(cString: strerror(errno)) }
    }

    public func append(tag: String, startSeconds: Double, lengthSeconds: Double, histogram: Histogram) {
        let maxMillis = Double(histogram.max ?? 0) / 1_000
        put("Tag=\(Self.tag(tag)),\(Self.fixed3(startSeconds)),\(Self.fixed3(lengthSeconds)),\(Self.fixed3(maxMillis)),\(IntervalLogEncoding.encode(histogram))\n")
    }

    /// Flushes, syncs and renames the log into place; throws the first write error if any.
    public func finish() throws {
        guard let handle = file else { return }
        file = nil
        let flushed = fflush(handle) == 0 && fsync(fileno(handle)) == 0
        fclose(handle)
        if failure == nil, !flushed { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporaryURL.path)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot write \(url.path): \(failure)"])
        }
        guard rename(temporaryURL.path, url.path) == 0 else {
            let code = errno
            unlink(temporaryURL.path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    private func put(_ text: String) {
        guard failure == nil, let file else { return }
        if fputs(text, file) < 0 { failure = String(cString: strerror(errno)) }
    }

    /// Tags cannot hold commas, white space or line breaks (the reference readers split on them).
    public static func tag(_ name: String) -> String {
        String(name.map { $0 == "," || $0.isWhitespace || $0.isNewline || $0 == "\"" ? "_" : $0 })
    }

    static func fixed3(_ value: Double) -> String { String(format: "%.3f", value) }
}
