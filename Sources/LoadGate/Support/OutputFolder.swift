import Foundation

/// The folder a run writes its results to, claimed before any load starts: created, locked for
/// this process (flock on the folder itself, so two runs given the same `--out` cannot both
/// proceed, and no lock file ends up in the bundle), checked not to hold a finished run, and
/// proven writable by writing and syncing a probe (a read-only or full disk is found in
/// milliseconds, not after the whole run). The lock lasts until the process exits.
public enum OutputFolder {
    public enum Problem: Error, Equatable {
        /// Another process holds the folder.
        case busy(String)
        /// The folder already holds a finished run (its marker file).
        case taken(String)
        /// The folder cannot be created or written (read-only, full, permissions).
        case notWritable(String)
    }

    /// Bytes written and synced to prove there is room for results (a summary is a few KiB to a
    /// few hundred; a folder that cannot take this cannot take them).
    static let probeBytes = 256 << 10

    /// Folder descriptors kept open (and locked) for the life of the process.
    nonisolated(unsafe) private static var held: [Int32] = []
    private static let heldLock = NSLock()

    /// Claims `requested` (created if missing), or a new `results/<UTC>-<folderName>` folder.
    /// `marker`: the file a finished run leaves (summary.json, report.json, ...).
    public static func claim(_ requested: String?, folderName: String, marker: String, now: Date = Date()) throws(Problem) -> URL {
        let url: URL
        do {
            if let requested {
                url = URL(fileURLWithPath: requested)
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } else {
                let base = URL(fileURLWithPath: "results").appendingPathComponent("\(Timestamp.compact(now))-\(folderName)")
                url = try AtomicFile.createUniqueDirectory(base: base)
            }
        } catch {
            throw .notWritable("cannot create \(requested ?? "the results folder"): \(reason(error))")
        }
        let shown = requested ?? url.path
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .notWritable("cannot open \(shown): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw .busy("\(shown) is in use by another LoadGate run; give each run its own --out")
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent(marker).path) {
            close(fd)
            throw .taken("\(shown) already holds a run (\(marker)); run folders are never overwritten, choose another")
        }
        let probe = url.appendingPathComponent(".loadgate-write-probe-\(getpid())")
        do {
            try AtomicFile.write(Data(count: probeBytes), to: probe)
            unlink(probe.path)
        } catch {
            unlink(probe.path)
            close(fd)
            throw .notWritable("\(shown) is not writable: \(reason(error))")
        }
        heldLock.withLock { held.append(fd) }
        return url
    }

    /// An I/O error as the OS words it ("No space left on device").
    public static func reason(_ error: Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return error.localizedDescription
    }
}
