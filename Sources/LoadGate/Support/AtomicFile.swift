import Foundation

/// Writes files so that a reader never sees half a file: write to a temporary name in the same
/// folder, fsync, then rename over the final name. Every write and the fsync are checked, so a
/// full disk is an error the caller reports, never a silently short file. Run folders are created
/// exclusively.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary.path, url.path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary.path)
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
    }

    /// Text goes through `Redaction.apply` on its way to disk: no output file can hold a secret.
    /// (The `Data` form writes bytes as given: digests and signatures.)
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(Redaction.apply(text).utf8), to: url)
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
