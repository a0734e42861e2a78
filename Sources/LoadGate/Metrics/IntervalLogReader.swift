import Foundation

/// Reads an HdrHistogram interval log line by line (as `HistogramLogReader` does): header
/// comments set the start and base time, the legend and other comments are skipped, each interval
/// line yields one entry. One entry at a time, so merging long logs keeps memory flat. Errors are
/// located (`file:line: ...`).
public final class IntervalLogReader {
    /// One interval line: `startSeconds` is absolute (seconds since the epoch).
    public struct Entry {
        public var tag: String?
        public var startSeconds: Double
        public var lengthSeconds: Double
        /// The `Interval_Max` column as written (LoadGate: milliseconds).
        public var maxColumn: Double
        public var histogram: Histogram
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    public private(set) var startTimeSeconds: Double?
    public private(set) var baseTimeSeconds: Double?
    private var file: UnsafeMutablePointer<FILE>?
    private var lineNumber = 0

    public init(path: String) throws(ReadError) {
        self.path = path
        guard let handle = fopen(path, "r") else {
            throw ReadError(description: "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        file = handle
    }

    deinit { if let file { fclose(file) } }

    /// The next interval, or nil at the end of the log.
    public func next() throws(ReadError) -> Entry? {
        while let line = readLine() {
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if let value = Self.headerNumber(line, "#[StartTime:") { startTimeSeconds = value }
                if let value = Self.headerNumber(line, "#[BaseTime:") { baseTimeSeconds = value }
                continue
            }
            if line.hasPrefix("\"StartTimestamp\"") { continue }
            var rest = Substring(line)
            var tag: String?
            if rest.hasPrefix("Tag=") {
                guard let comma = rest.firstIndex(of: ",") else { throw located("a tag without interval fields") }
                tag = String(rest[rest.index(rest.startIndex, offsetBy: 4)..<comma])
                rest = rest[rest.index(after: comma)...]
            }
            let fields = rest.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let start = Double(fields[0]), let length = Double(fields[1]), let maxColumn = Double(fields[2]),
                  start.isFinite, length.isFinite, maxColumn.isFinite, length >= 0, abs(start) < 1e12, length < 1e9 else {
                throw located("expected StartTimestamp,Interval_Length,Interval_Max,Interval_Compressed_Histogram")
            }
            let histogram: Histogram
            do { histogram = try IntervalLogEncoding.decode(String(fields[3])) } catch { throw located(error.description) }
            if startTimeSeconds == nil { startTimeSeconds = start }
            // As HdrHistogram's reader: without a BaseTime, times more than a year before the start are relative.
            let base = baseTimeSeconds ?? (start < (startTimeSeconds ?? 0) - 365 * 24 * 3600 ? startTimeSeconds ?? 0 : 0)
            return Entry(tag: tag, startSeconds: base + start, lengthSeconds: length, maxColumn: maxColumn, histogram: histogram)
        }
        return nil
    }

    private func located(_ message: String) -> ReadError {
        ReadError(description: "\(path):\(lineNumber): \(message)")
    }

    private func readLine() -> String? {
        guard let file else { return nil }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        let count = getline(&buffer, &capacity, file)
        guard count >= 0, let buffer else { return nil }
        lineNumber += 1
        var line = String(cString: buffer)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    private static func headerNumber(_ line: String, _ prefix: String) -> Double? {
        guard line.hasPrefix(prefix) else { return nil }
        let number = line.dropFirst(prefix.count).drop(while: { $0 == " " }).prefix(while: { $0.isNumber || $0 == "." })
        return Double(number)
    }
}
