import Foundation

/// Writes files so that a reader never sees half a file: write to a temporary name in the same
/// folder, flush, then rename over the final name. Run folders are created exclusively.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        if let handle = FileHandle(forWritingAtPath: temporary.path) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Creates `base`, or `base-2`, `base-3`, ... if taken; mkdir is atomic, so two runs started in
    /// the same second never share a folder.
    public static func createUniqueDirectory(base: URL) throws -> URL {
        try FileManager.default.createDirectory(at: base.deletingLastPathComponent(), withIntermediateDirectories: true)
        for attempt in 1...1000 {
            let candidate = attempt == 1 ? base : URL(fileURLWithPath: base.path + "-\(attempt)")
            if mkdir(candidate.path, 0o755) == 0 { return candidate }
            if errno != EEXIST { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        throw POSIXError(.EEXIST)
    }
}
