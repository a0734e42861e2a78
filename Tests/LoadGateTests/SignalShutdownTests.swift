import Foundation
import Testing
@testable import LoadGate

/// Interrupts during a run: whatever arrives (a second Ctrl-C, SIGTERM) and whatever the peer does
/// at shutdown (an MCP server that never answers DELETE), the partial results are written
/// (`complete: false`, exit 3) and shutdown takes a bounded time.
@Suite("Signals and bounded shutdown", .serialized)
struct SignalShutdownTests {
    /// Starts `loadgate run`, sends `signals` (seconds after start, signal), waits for the exit.
    /// Returns the exit code, the seconds from the first signal to the exit, and the summary.
    static func run(_ scenario: String, signals: [(Double, Int32)]) throws -> (code: Int32, afterSignal: Double, summary: JSONValue?) {
        let file = try ScenarioFile(scenario)
        let started = Date()
        let process = try file.start()
        var firstSignal: Date?
        for (after, signal) in signals {
            let wait = after - Date().timeIntervalSince(started)
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            kill(process.processIdentifier, signal)
            if firstSignal == nil { firstSignal = Date() }
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(firstSignal ?? started)
        return (process.terminationStatus, seconds, try? file.summary())
    }

    static func mcpScenario(port: Int) -> String {
        """
        {"name": "shutdown", "target": "http://127.0.0.1:\(port)", "load": {"vus": 8, "duration": "30s"},
         "steps": [{"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "x"}}}]}
        """
    }

    static func deletes(_ peer: PeerProcess) throws -> Double? {
        let response = BlockingHTTP.perform(method: "GET", url: "http://127.0.0.1:\(peer.port)/stats", headers: [], tls: TLSOptions())
        if case let .number(count)? = try JSONParser.parse(response.body)["deletes"] { return count }
        return nil
    }

    @Test("Two SIGINTs 1 ms apart, with an MCP server hanging on DELETE: partial summary, exit 3, shutdown within a few seconds",
          arguments: [[(2.0, SIGINT), (2.001, SIGINT)], [(2.0, SIGINT), (2.5, SIGINT)], [(2.0, SIGTERM)], [(2.0, SIGTERM), (2.3, SIGINT)]])
    func interruptWithHangingDelete(signals: [(Double, Int32)]) throws {
        let peer = try PeerProcess.script("hostile_mcp.py", [])
        let (code, seconds, summary) = try Self.run(Self.mcpScenario(port: peer.port), signals: signals)
        #expect(code == 3)
        #expect(summary?["complete"] == .bool(false), "the partial summary was written")
        #expect(seconds < 6, "shutdown took \(seconds) s after the first signal (8 sessions with a hanging DELETE)")
        #expect(try Self.deletes(peer) == 8, "every session's DELETE was sent, concurrently")
    }

    @Test("The negative twin: sessions of a server that answers DELETE are all ended and counted")
    func deletesAnswered() throws {
        let peer = try PeerProcess.script("hostile_mcp.py", ["--delete-hang", "0"])
        let (code, _, summary) = try Self.run(Self.mcpScenario(port: peer.port), signals: [(2.0, SIGINT)])
        #expect(code == 3)
        #expect(summary?.resolve(pointer: "/mcp/sessionsDeleted") == .number(8))
    }
}
