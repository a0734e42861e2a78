import Foundation
import Testing
@testable import LoadGate

/// A high-rate open model on the native engine leaves responses in the kernel until the next
/// pass (one wake-up per pass) and takes their arrival from the kernel's receive stamps: the
/// latency it records must not grow by that wait. Checked against nginx, with libcurl (which
/// reads every response as it arrives) as the twin, run one after the other.
@Suite("deferred reads of a high-rate open model", .serialized)
struct DeferredReadTests {
    /// One `loadgate run --workers 1` of GET /health/live against `nginx` under `engine` with `load`.
    static func run(_ nginx: PeerProcess, engine: EngineRun.Engine, load: String) throws -> EngineRun {
        let scenario = EngineRun.scenario(target: "http://127.0.0.1:\(nginx.port)", engine: engine,
                                          steps: #"[{"name": "live", "request": {"path": "/health/live"}}]"#, load: load)
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", scenario)
        let out = scratch.path("out")
        let cli = try CLIRun.run(["run", file, "--out", out, "--quiet", "--workers", "1"], environment: EngineRun.noProxyEnvironment)
        #expect(cli.exitCode == 0, "\(engine): \(cli.stdout)\(cli.stderr)")
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
        return EngineRun(cli: cli, summary: summary, maxRSSMiB: 0)
    }

    @Test("at 5,000/s on one worker (passes every 700 µs) the native engine's service time is libcurl's, not up to a window more")
    func serviceTimeNotInflated() throws {
        let nginx = try PeerProcess.nginx()
        var runs: [EngineRun.Engine: EngineRun] = [:]
        for engine in EngineRun.Engine.allCases {
            runs[engine] = try Self.run(nginx, engine: engine, load: #"{"rate": 5000, "duration": "2s", "connections": 20}"#)
        }
        guard let native = runs[.auto], let curl = runs[.libcurl] else { Issue.record("missing runs"); return }
        #expect(native.summary?.resolve(pointer: "/generator/httpEngine/name") == .string("native"))
        for (engine, run) in runs {
            #expect(run.number("live", "/requests") == 10_000, "\(engine)")
            #expect(run.failures("live").isEmpty, "\(engine)")
        }
        let nativeService = native.number("live", "/serviceTime/p50") ?? 1
        let curlService = curl.number("live", "/serviceTime/p50") ?? 0
        // A response read at the next pass without its kernel stamp would add 250 µs on average.
        #expect(nativeService < curlService + 0.000_1, "native p50 \(nativeService) s, libcurl p50 \(curlService) s")
        #expect(nativeService < 0.000_5, "native p50 \(nativeService) s")
        // The first byte is never after the end, and comes from the same stamps.
        #expect((native.number("live", "/ttfb/p50") ?? 1) <= nativeService + 0.000_01)
    }

    @Test("with fewer connections than a pass starts, the rest of the pass starts as the pass's reads free connections, not a window later")
    func passShortOfConnectionsGoesOnAfterItsReads() throws {
        // 5,000/s on one worker: about 3.5 iterations per 700 µs pass, on 2 connections. A pass
        // sends on the free ones before it reads the responses that waited in the kernel; the
        // rest of its iterations must start once those reads free connections. If they waited for
        // the next pass instead, each pass would start at most 2 (2,860/s): the schedule would
        // fall seconds behind (seen: lateness p50 4.5 s, run invalid).
        let nginx = try PeerProcess.nginx()
        let run = try Self.run(nginx, engine: .auto, load: #"{"rate": 5000, "duration": "2s", "connections": 2}"#)
        #expect(run.summary?.resolve(pointer: "/generator/httpEngine/name") == .string("native"))
        #expect(run.number("live", "/requests") == 10_000)
        #expect(run.failures("live").isEmpty)
        // Not a timing target: nginx answers in about 0.1 ms, and the failure is seconds.
        var latenessP50 = 99.0
        if case let .number(value)? = run.summary?.resolve(pointer: "/lateness/p50") { latenessP50 = value }
        #expect(latenessP50 < 0.05, "lateness p50 \(latenessP50) s")
    }
}
