import Foundation

/// The readiness bundle on disk: every format rendered from `report.json`, each step's `.hgrm`,
/// and `MANIFEST.sha256` (sha256sum format) over every file, plus `MANIFEST.sig` (HMAC-SHA256 of
/// the manifest) when a signing key is given. Every text is redacted before it is written.
public enum ReportBundle {
    public static let signingKeyVariable = "LOADGATE_SIGNING_KEY"

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
        try AtomicFile.write(manifest, to: directory.appendingPathComponent("MANIFEST.sha256"))
        if let signingKey, !signingKey.isEmpty {
            try AtomicFile.write(HMACSHA256.hex(key: Array(signingKey.utf8), message: Array(manifest.utf8)) + "\n",
                                 to: directory.appendingPathComponent("MANIFEST.sig"))
        }
    }

    /// `<sha256>  <path>` for every file under `directory` except the manifest and its signature,
    /// sorted by path.
    static func manifestText(_ directory: URL) throws -> String {
        try files(in: directory).map { path in
            let data = try Data(contentsOf: directory.appendingPathComponent(path))
            return "\(SHA256.hex(Array(data)))  \(path)\n"
        }.joined()
    }

    static func files(in directory: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var paths: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if isDirectory.boolValue || path == "MANIFEST.sha256" || path == "MANIFEST.sig" { continue }
            if (path as NSString).lastPathComponent.hasPrefix(".") { continue }
            paths.append(path)
        }
        return paths.sorted()
    }

    /// Problems found re-checking a bundle: changed, missing or unlisted files, a bad signature.
    /// Empty means intact. `notes` says what could not be checked (a signature without a key).
    public static func verify(_ directory: URL, signingKey: String?) -> (problems: [String], notes: [String], checked: Int) {
        var problems: [String] = []
        var notes: [String] = []
        guard let manifestData = FileManager.default.contents(atPath: directory.appendingPathComponent("MANIFEST.sha256").path) else {
            return (["MANIFEST.sha256: missing; this is not a LoadGate bundle or it was stripped"], [], 0)
        }
        let manifest = String(decoding: manifestData, as: UTF8.self)
        var listed: [String: String] = [:]
        for line in manifest.split(separator: "\n") {
            guard let separator = line.range(of: "  ") else { problems.append("MANIFEST.sha256: malformed line \"\(line.prefix(80))\""); continue }
            listed[String(line[separator.upperBound...])] = String(line[..<separator.lowerBound])
        }
        for (path, digest) in listed.sorted(by: { $0.key < $1.key }) {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(path).path) else {
                problems.append("\(path): missing")
                continue
            }
            if SHA256.hex(Array(data)) != digest { problems.append("\(path): contents changed (SHA-256 differs from the manifest)") }
        }
        for path in (try? files(in: directory)) ?? [] where listed[path] == nil {
            problems.append("\(path): not in the manifest (added after the bundle was written)")
        }
        let signaturePath = directory.appendingPathComponent("MANIFEST.sig").path
        let signature = FileManager.default.contents(atPath: signaturePath).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
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
