import Foundation
import Testing
@testable import LoadGate

/// The demo target speaks HTTP/1.0 as real servers do, so the platform guide's own check
/// (`ab -n 1000 -c 50 .../health/live`, ApacheBench from Debian's apache2-utils) works against it.
@Suite("Demo target and HTTP/1.0 clients", .serialized)
struct DemoTargetHTTP10Tests {
    static func tool(_ path: String, _ arguments: [String], timeoutSeconds: Double = 60) throws -> (code: Int32, output: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let started = Date()
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(started))
    }

    @Test("ab -n 1000 -c 50 completes against loadgate target, with and without -k", arguments: [false, true])
    func apacheBench(keepAlive: Bool) throws {
        let target = try TargetIntegrationTests.target()
        let url = "http://127.0.0.1:\(target.port)/health/live"
        let run = try Self.tool("/usr/bin/ab", (keepAlive ? ["-k"] : []) + ["-n", "1000", "-c", "50", "-s", "10", url], timeoutSeconds: 60)
        #expect(run.code == 0, "\(run.output)")
        #expect(run.output.contains("Complete requests:      1000"), "\(run.output)")
        #expect(run.output.contains("Failed requests:        0"), "\(run.output)")
        if keepAlive { #expect(run.output.contains("Keep-Alive requests:    1000"), "every request reused a connection") }
    }

    @Test("curl --http1.0 gets its answer and the connection closes; with keep-alive asked, it is answered keep-alive")
    func curlHTTP10() throws {
        let target = try TargetIntegrationTests.target()
        let url = "http://127.0.0.1:\(target.port)/health/live"
        let plain = try Self.tool("/usr/bin/curl", ["-sS", "-i", "--max-time", "5", "--http1.0", url])
        #expect(plain.code == 0, "\(plain.output)")
        #expect(plain.output.contains("Connection: close"))
        #expect(plain.output.contains("{\"status\":\"ok\"}"))
        // -v: curl says on stderr whether it reused the connection (the twin: without keep-alive it closes).
        let kept = try Self.tool("/usr/bin/curl", ["-sS", "-i", "-v", "--max-time", "5", "--http1.0", "-H", "Connection: keep-alive", url, url])
        #expect(kept.code == 0, "\(kept.output)")
        #expect(kept.output.components(separatedBy: "< Connection: keep-alive").count == 3, "both answers say keep-alive")
        #expect(kept.output.contains("Re-using existing connection"), "\(kept.output)")
        let closed = try Self.tool("/usr/bin/curl", ["-sS", "-v", "-o", "/dev/null", "--max-time", "5", "--http1.0", url, url])
        #expect(closed.code == 0 && !closed.output.contains("Re-using existing connection"), "\(closed.output)")
    }

    @Test("Connection persistence follows the request's version and Connection header", arguments: [
        ("HTTP/1.1", nil, true, nil), ("HTTP/1.1", "close", false, "close"), ("HTTP/1.1", "Keep-Alive", true, nil),
        ("HTTP/1.0", nil, false, "close"), ("HTTP/1.0", "keep-alive", true, "keep-alive"), ("HTTP/1.0", "Keep-Alive, TE", true, "keep-alive"),
    ] as [(String, String?, Bool, String?)])
    func persistence(version: String, connection: String?, keepOpen: Bool, announce: String?) {
        let decision = LoopbackHTTPServer.persistence(version: version, connection: connection)
        #expect(decision.keepOpen == keepOpen)
        #expect(decision.announce == announce)
    }
}
