import Foundation
import Testing
@testable import LoadGate

/// `verify` never leaves the bundle: manifest paths that escape are refused, links are never
/// followed, hidden entries and added folders fail, and files are hashed in pieces.
@Suite("verify stays inside the bundle", .serialized)
struct BundleVerifyTests {
    /// A freshly written, signed bundle in a scratch folder.
    static func bundle() throws -> (ScratchDirectory, URL) {
        let scratch = try ScratchDirectory()
        let directory = scratch.url.appendingPathComponent("bundle")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let report: JSONValue = .object([("verdict", .string("passed")), ("reasons", .array([]))])
        try ReportBundle.write(report: report, histograms: [("s.step", "Value Percentile\n")], to: directory, secrets: [], signingKey: nil)
        return (scratch, directory)
    }

    static func verify(_ directory: URL) -> [String] { ReportBundle.verify(directory, signingKey: nil).problems }

    static func appendToManifest(_ directory: URL, _ line: String) throws {
        let url = directory.appendingPathComponent("MANIFEST.sha256")
        let text = try String(contentsOf: url, encoding: .utf8) + line + "\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test("A fresh bundle verifies (the twin of every refusal below)")
    func fresh() throws {
        let (scratch, directory) = try Self.bundle()
        defer { withExtendedLifetime(scratch) {} }
        #expect(Self.verify(directory).isEmpty)
    }

    @Test("Manifest paths that are absolute or contain .. are refused, never read",
          arguments: ["/etc/hostname", "../outside.txt", "histograms/../../outside.txt", "./report.json", "a//b"])
    func escapingPaths(path: String) throws {
        let (scratch, directory) = try Self.bundle()
        let outside = try scratch.write("outside.txt", "secret outside the bundle\n")
        let digest = ReportBundle.fileDigest(URL(fileURLWithPath: path.hasPrefix("/") ? path : outside))!
        try Self.appendToManifest(directory, "\(digest)  \(path)")
        let problems = Self.verify(directory)
        #expect(problems.contains { $0.contains("refused path") }, "\(problems)")
    }

    @Test("A symbolic link inside the bundle fails verification, even when its target's digest is listed")
    func symlink() throws {
        let (scratch, directory) = try Self.bundle()
        let outside = try scratch.write("outside.txt", "outside\n")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("histograms/link.hgrm").path, withDestinationPath: outside)
        try Self.appendToManifest(directory, "\(ReportBundle.fileDigest(URL(fileURLWithPath: outside))!)  histograms/link.hgrm")
        let problems = Self.verify(directory)
        #expect(problems.contains { $0.contains("histograms/link.hgrm: symbolic link") }, "\(problems)")
        #expect(problems.contains { $0.contains("histograms/link.hgrm: missing") }, "a link is not a bundle file")
    }

    @Test("A symlinked folder is not entered")
    func symlinkedFolder() throws {
        let (scratch, directory) = try Self.bundle()
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("more").path,
                                                   withDestinationPath: scratch.url.appendingPathComponent("elsewhere").path)
        #expect(Self.verify(directory).contains { $0.hasPrefix("more: symbolic link") })
    }

    @Test("Hidden files and added folders fail verification", arguments: [".hidden", "histograms/.x", "added-folder/"])
    func addedEntries(name: String) throws {
        let (scratch, directory) = try Self.bundle()
        defer { withExtendedLifetime(scratch) {} }
        let url = directory.appendingPathComponent(name)
        if name.hasSuffix("/") {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } else {
            try "x".write(to: url, atomically: false, encoding: .utf8)
        }
        let problems = Self.verify(directory)
        #expect(!problems.isEmpty, "\(name) went unnoticed")
    }

    @Test("A large file is hashed in pieces: verify's peak memory stays far below the file's size")
    func streamingHash() throws {
        let (scratch, directory) = try Self.bundle()
        let big = directory.appendingPathComponent("histograms/big.hgrm")
        let sizeBytes = 96 << 20
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(sizeBytes))  // sparse: zeros without using the disk
        try handle.close()
        try Self.appendToManifest(directory, "\(ReportBundle.fileDigest(big)!)  histograms/big.hgrm")
        let rssFile = scratch.path("rss")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PeerProcess.packageRoot.appendingPathComponent("scripts/peers/maxrss.py").path, rssFile,
                             CLIRun.binary, "verify", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging([ReportBundle.signingKeyVariable: ""]) { $1 }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the bundle with the big file verifies")
        let peakMiB = (Double((try? String(contentsOfFile: rssFile, encoding: .utf8)) ?? "") ?? .infinity) / 1024
        #expect(peakMiB < 64, "peak memory \(peakMiB) MiB for a 96 MiB file")
    }

    @Test("The streaming digest matches SHA-256 of the whole content")
    func digestMatches() throws {
        let scratch = try ScratchDirectory()
        var bytes = [UInt8]()
        for index in 0..<(3 << 20) + 17 { bytes.append(UInt8(truncatingIfNeeded: index &* 31)) }
        let url = scratch.url.appendingPathComponent("f")
        try Data(bytes).write(to: url)
        #expect(ReportBundle.fileDigest(url) == SHA256.hex(bytes))
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
