import Foundation

/// The readiness bundle on disk: every format rendered from `report.json`, each step's `.hgrm`,
/// and `MANIFEST.sha256` (sha256sum format) over every file, plus `MANIFEST.sig` (HMAC-SHA256 of
/// the manifest) when a signing key is given. Every text is redacted before it is written.
public enum ReportBundle {
    public static let signingKeyVariable = "LOADGATE_SIGNING_KEY"
    /// A manifest bigger than this is not a LoadGate manifest (and is not read into memory).
    static let maxManifestBytes = 16 << 20

    public static func write(report: JSONValue, histograms: [(name: String, text: String)], to directory: URL,
                             secrets: [String], signingKey: String?) throws {
        func put(_ name: String, _ text: String) throws {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Redaction.text(text, secrets: secrets), to: url)
        }
        try put("report.json", JSONWriter.serialize(report))
        try put("junit.xml", JUnitReport.render(report))
        try put("report.md", MarkdownReport.render(report))
        try put("report.html", HTMLReport.render(report))
        for histogram in histograms { try put("histograms/\(histogram.name).hgrm", histogram.text) }
        let manifest = try manifestText(directory)
        // Digests and the signature are written byte for byte (never through redaction).
        try AtomicFile.write(Data(manifest.utf8), to: directory.appendingPathComponent("MANIFEST.sha256"))
        if let signingKey, !signingKey.isEmpty {
            try AtomicFile.write(Data((HMACSHA256.hex(key: Array(signingKey.utf8), message: Array(manifest.utf8)) + "\n").utf8),
                                 to: directory.appendingPathComponent("MANIFEST.sig"))
        }
    }

    /// `<sha256>  <path>` for every file under `directory` except the manifest and its signature,
    /// sorted by path.
    static func manifestText(_ directory: URL) throws -> String {
        try files(in: directory).map { path in
            guard let digest = fileDigest(directory.appendingPathComponent(path)) else { throw CocoaError(.fileReadUnknown) }
            return "\(digest)  \(path)\n"
        }.joined()
    }

    static func files(in directory: URL) throws -> [String] {
        scan(directory).files.filter { $0 != "MANIFEST.sha256" && $0 != "MANIFEST.sig" }.sorted()
    }

    /// SHA-256 of a file read in 1 MiB pieces (a 1 GB file costs 1 MiB of memory, not 1 GB).
    static func fileDigest(_ url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }  // nil or empty: end of file
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// What a bundle folder holds, walked without following links: regular files (relative
    /// paths), folders, and entries a bundle never has (links, hidden names, devices, pipes).
    struct Scan {
        var files: [String] = []
        var directories: [String] = []
        var strange: [(path: String, why: String)] = []
    }

    static func scan(_ directory: URL) -> Scan {
        var result = Scan()
        func walk(_ relative: String, depth: Int) {
            let url = relative.isEmpty ? directory : directory.appendingPathComponent(relative)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else {
                result.strange.append((relative, "cannot be listed"))
                return
            }
            for name in names.sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                if name.hasPrefix(".") {
                    result.strange.append((path, "hidden entry (a bundle has none)"))
                    continue
                }
                // attributesOfItem uses lstat: a symbolic link is reported as a link, never followed.
                let type = (try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path))?[.type] as? FileAttributeType
                switch type {
                case .typeRegular?: result.files.append(path)
                case .typeDirectory?:
                    if depth >= 8 { result.strange.append((path, "folder nested too deep")); continue }
                    result.directories.append(path)
                    walk(path, depth: depth + 1)
                case .typeSymbolicLink?: result.strange.append((path, "symbolic link (a bundle has none; verify never follows one)"))
                default: result.strange.append((path, "not a regular file"))
                }
            }
        }
        walk("", depth: 0)
        return result
    }

    /// A manifest path that stays inside the bundle: relative, no `.`/`..`/empty components.
    static func isContained(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// Problems found re-checking a bundle: changed, missing or unlisted files, a bad signature,
    /// manifest paths leaving the bundle, links, hidden entries, added folders. Empty means intact.
    /// `notes` says what could not be checked (a signature without a key). Never reads outside
    /// `directory` and never follows a link.
    public static func verify(_ directory: URL, signingKey: String?) -> (problems: [String], notes: [String], checked: Int) {
        var problems: [String] = []
        var notes: [String] = []
        let scan = scan(directory)
        let manifestURL = directory.appendingPathComponent("MANIFEST.sha256")
        if let size = (try? FileManager.default.attributesOfItem(atPath: manifestURL.path))?[.size] as? Int, size > maxManifestBytes {
            return (["MANIFEST.sha256: \(size) bytes, larger than any bundle's manifest (\(maxManifestBytes)); not read"], [], 0)
        }
        guard scan.files.contains("MANIFEST.sha256"),
              let manifestData = FileManager.default.contents(atPath: directory.appendingPathComponent("MANIFEST.sha256").path) else {
            return (["MANIFEST.sha256: missing; this is not a LoadGate bundle or it was stripped"], [], 0)
        }
        let manifest = String(decoding: manifestData, as: UTF8.self)
        var listed: [String: String] = [:]
        for line in manifest.split(separator: "\n") {
            guard let separator = line.range(of: "  ") else {
                problems.append("MANIFEST.sha256: malformed line \"\(TerminalText.escape(String(line.prefix(80))))\"")
                continue
            }
            let path = String(line[separator.upperBound...])
            guard isContained(path) else {
                problems.append("MANIFEST.sha256: refused path \"\(TerminalText.escape(String(path.prefix(200))))\" (absolute or leaving the bundle)")
                continue
            }
            listed[path] = String(line[..<separator.lowerBound])
        }
        let regular = Set(scan.files)
        for (path, digest) in listed.sorted(by: { $0.key < $1.key }) {
            guard regular.contains(path), let actual = fileDigest(directory.appendingPathComponent(path)) else {
                problems.append("\(TerminalText.escape(path)): missing")
                continue
            }
            if actual != digest { problems.append("\(TerminalText.escape(path)): contents changed (SHA-256 differs from the manifest)") }
        }
        for path in scan.files where listed[path] == nil && path != "MANIFEST.sha256" && path != "MANIFEST.sig" {
            problems.append("\(TerminalText.escape(path)): not in the manifest (added after the bundle was written)")
        }
        for (path, why) in scan.strange { problems.append("\(TerminalText.escape(path)): \(why)") }
        for folder in scan.directories where !listed.keys.contains(where: { $0.hasPrefix(folder + "/") }) {
            problems.append("\(TerminalText.escape(folder))/: folder not in the manifest (added after the bundle was written)")
        }
        let signature: String? = scan.files.contains("MANIFEST.sig")
            ? FileManager.default.contents(atPath: directory.appendingPathComponent("MANIFEST.sig").path).map {
                String(decoding: $0.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            : nil
        switch (signature, signingKey) {
        case let (signature?, key?) where !key.isEmpty:
            if HMACSHA256.hex(key: Array(key.utf8), message: Array(manifestData)) != signature {
                problems.append("MANIFEST.sig: the HMAC does not match the manifest (wrong key or altered manifest)")
            }
        case (.some, _):
            notes.append("MANIFEST.sig present but \(signingKeyVariable) is not set: signature not checked")
        case (nil, let key?) where !key.isEmpty:
            problems.append("MANIFEST.sig: missing, but a signing key is set (the bundle was not signed)")
        default:
            break
        }
        return (problems, notes, listed.count)
    }

    /// The commit of the LoadGate checkout this binary was built in, when it can be found.
    public static func harnessCommit(executable: String) -> String? {
        var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? executable)
        for _ in 0..<8 {
            url.deleteLastPathComponent()
            var git = url.appendingPathComponent(".git")
            // A linked worktree's .git is a file "gitdir: <dir>"; its branch refs live in the
            // common directory named by <dir>/commondir.
            var common = git
            if let link = try? String(contentsOf: git, encoding: .utf8), link.hasPrefix("gitdir: ") {
                let path = link.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines)
                git = URL(fileURLWithPath: path, relativeTo: url).standardizedFileURL
                common = git
                if let relative = try? String(contentsOf: git.appendingPathComponent("commondir"), encoding: .utf8) {
                    common = URL(fileURLWithPath: relative.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: git.appendingPathComponent("/")).standardizedFileURL
                }
            }
            guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else { continue }
            guard head.hasPrefix("ref: ") else { return head }
            let ref = String(head.dropFirst(5))
            for directory in [git, common] {
                if let commit = try? String(contentsOf: directory.appendingPathComponent(ref), encoding: .utf8) { return commit.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            if let packed = try? String(contentsOf: common.appendingPathComponent("packed-refs"), encoding: .utf8) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) { return String(line.prefix(40)) }
            }
            return nil
        }
        return nil
    }
}
