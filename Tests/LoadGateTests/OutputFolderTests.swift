import Foundation
import Testing
@testable import LoadGate

/// `--out` is claimed before any load starts: a read-only or full disk is exit 2 within a second,
/// two runs given the same folder never both proceed, a finished run is never overwritten.
@Suite("Output folders", .serialized)
struct OutputFolderTests {
    static func scenario(port: Int, seconds: Int = 2) -> String {
        """
        {"name": "out", "target": "http://127.0.0.1:\(port)", "load": {"rate": 20, "duration": "\(seconds)s"},
         "steps": [{"name": "echo", "request": {"method": "GET", "path": "/echo-headers"}}]}
        """
    }

    /// Private mount namespaces need root (CI runs the suite as root); elsewhere these tests skip.
    static let canMount: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs `loadgate run` with `--out <tmpfs>/out` in a private mount namespace, the tmpfs set up
    /// by `prepare` (a shell snippet; $M is the mount point).
    static func runOnTmpfs(_ scenarioFile: String, mountOptions: String, prepare: String, scratch: ScratchDirectory) throws -> CLIRun {
        let mountPoint = scratch.path("mnt")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let script = "M=\(mountPoint); mount -t tmpfs -o \(mountOptions) tmpfs $M && \(prepare) exec \"$0\" run \"$1\" --out $M/out --quiet"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "sh", "-c", script, CLIRun.binary, scenarioFile]
        return try CLIRun.capture(process)
    }

    /// Runs a 5-second scenario against a fresh hostile peer with `--out` on a tmpfs (see
    /// `runOnTmpfs`) and expects exit 2 within 1.5 s, the error naming `reason`.
    static func expectRefusedOnTmpfs(mountOptions: String, prepare: String, naming reason: String) throws -> (PeerProcess, ScratchDirectory) {
        let peer = try PeerProcess.script("hostile_peer.py", [])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario(port: peer.port, seconds: 5))
        let run = try Self.runOnTmpfs(file, mountOptions: mountOptions, prepare: prepare, scratch: scratch)
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(run.seconds < 1.5, "took \(run.seconds) s")
        #expect(run.stderr.contains(reason), "\(run.stderr)")
        return (peer, scratch)
    }

    @Test("A read-only --out is exit 2 within a second, before any load", .enabled(if: canMount))
    func readOnly() throws {
        let (peer, _) = try Self.expectRefusedOnTmpfs(mountOptions: "ro", prepare: "", naming: "--out")
        let seen = BlockingHTTP.perform(method: "GET", url: "http://127.0.0.1:\(peer.port)/seen", headers: [], tls: TLSOptions())
        #expect(String(decoding: seen.body, as: UTF8.self).contains("\"echo\": []"), "no request was sent")
    }

    @Test("A full disk is exit 2 within a second; the twin with room runs and writes its summary", .enabled(if: canMount))
    func fullDisk() throws {
        let (peer, scratch) = try Self.expectRefusedOnTmpfs(mountOptions: "size=256k", prepare: "dd if=/dev/zero of=$M/fill bs=4k 2>/dev/null; mkdir $M/out;",
                                                            naming: "No space left on device")
        let short = try scratch.write("short.json", Self.scenario(port: peer.port, seconds: 1))
        let roomy = try Self.runOnTmpfs(short, mountOptions: "size=4m", prepare: "", scratch: scratch)
        #expect(roomy.exitCode == 0, "\(roomy.stderr)")
    }

    @Test("Two runs started together with the same --out: exactly one proceeds, the other is exit 2")
    func concurrentRuns() throws {
        let peer = try PeerProcess.script("hostile_peer.py", [])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario(port: peer.port))
        let out = scratch.path("shared")
        nonisolated(unsafe) var runs: [CLIRun] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            if let run = try? CLIRun.run(["run", file, "--out", out, "--quiet"]) { lock.withLock { runs.append(run) } }
        }
        #expect(runs.map(\.exitCode).sorted() == [0, 2], "\(runs.map(\.stderr))")
        #expect(runs.contains { $0.stderr.contains("in use by another LoadGate run") || $0.stderr.contains("already holds a run") })
        // A finished run is never overwritten either.
        #expect(try CLIRun.run(["run", file, "--out", out, "--quiet"]).exitCode == 2)
    }

    @Test("The lock is the folder's: claiming it twice in one process is refused, and no lock file lands in the bundle")
    func lockedInProcess() throws {
        let scratch = try ScratchDirectory()
        let folder = scratch.path("claimed")
        let url = try OutputFolder.claim(folder, folderName: "x", marker: "summary.json")
        #expect(throws: OutputFolder.Problem.self) { try OutputFolder.claim(folder, folderName: "x", marker: "summary.json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.path).isEmpty)
    }
}
