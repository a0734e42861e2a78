import Foundation
@testable import LoadGate

/// One `loadgate run` of a scenario under a chosen HTTP engine, with its summary and peak memory:
/// the native engine and libcurl are run on the same scenario and their summaries compared.
struct EngineRun {
    /// The engine a run asks for: `auto` picks native where the run qualifies, `libcurl` forces libcurl.
    enum Engine: String, CaseIterable, Sendable, CustomStringConvertible {
        case auto, libcurl
        var description: String { rawValue }
        /// The `defaults` member that asks for this engine ("" for auto: the default).
        var defaultsField: String { self == .libcurl ? #", "engine": "libcurl""# : "" }
    }

    let cli: CLIRun
    let summary: JSONValue?
    let maxRSSMiB: Double

    /// Proxy variables set empty, so a proxy in the test's own environment cannot move a run to libcurl.
    static let noProxyEnvironment: [String: String] = Dictionary(uniqueKeysWithValues:
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].map { ($0, "") })

    /// A scenario: `steps` against `target`, 1 VU for `iterations` unless `load` is given.
    static func scenario(target: String, engine: Engine, steps: String, iterations: Int = 3, load: String? = nil,
                         timeout: String = "2s") -> String {
        """
        {"name": "engine-\(engine)", "target": "\(target)",
         "load": \(load ?? #"{"vus": 1, "iterations": \#(iterations), "duration": "30s"}"#),
         "defaults": {"timeout": "\(timeout)"\(engine.defaultsField)}, "steps": \(steps)}
        """
    }

    /// Runs `scenario` under scripts/peers/maxrss.py (peak memory from wait4).
    static func run(_ scenario: String, environment: [String: String] = noProxyEnvironment) throws -> EngineRun {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", scenario)
        let out = scratch.path("out")
        let rssFile = scratch.path("rss")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PeerProcess.packageRoot.appendingPathComponent("scripts/peers/maxrss.py").path, rssFile,
                             CLIRun.binary, "run", file, "--out", out, "--quiet"]
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let cli = try CLIRun.capture(process)
        let rssKiB = Double((try? String(contentsOfFile: rssFile, encoding: .utf8)) ?? "") ?? -1
        let summary = (try? Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))).flatMap { try? JSONParser.parse(Array($0)) }
        return EngineRun(cli: cli, summary: summary, maxRSSMiB: rssKiB / 1024)
    }

    /// Runs the scenario `make` builds for each engine, both at once (each run is its own process).
    static func both(environment: [String: String] = noProxyEnvironment, _ make: (Engine) -> String) throws -> [Engine: EngineRun] {
        let scenarios = Engine.allCases.map { ($0, make($0)) }
        let results = Locked<[Engine: Result<EngineRun, Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: scenarios.count) { index in
            let (engine, text) = scenarios[index]
            let result = Result { try run(text, environment: environment) }
            results.withLock { $0[engine] = result }
        }
        return try results.withLock { try $0.mapValues { try $0.get() } }
    }

    // MARK: - Reading the summary

    /// `generator.httpEngine.name` and `.reason`.
    var engineName: String? { string(summary?.resolve(pointer: "/generator/httpEngine/name")) }
    var engineReason: String { string(summary?.resolve(pointer: "/generator/httpEngine/reason")) ?? "" }

    func step(_ name: String) -> JSONValue? {
        guard case let .array(steps)? = summary?["steps"] else { return nil }
        return steps.first { $0["name"] == .string(name) }
    }

    /// A number of step `name` at a JSON Pointer inside it ("/requests", "/connect/count").
    func number(_ name: String, _ pointer: String) -> Double? {
        if case let .number(value)? = step(name)?.resolve(pointer: pointer) { return value }
        return nil
    }

    /// A number of the whole summary at a JSON Pointer.
    func total(_ pointer: String) -> Double? {
        if case let .number(value)? = summary?.resolve(pointer: pointer) { return value }
        return nil
    }

    /// The failure classes step `name` recorded, with counts.
    func failures(_ name: String) -> [String: Double] {
        guard case let .object(members)? = step(name)?["failures"] else { return [:] }
        var out: [String: Double] = [:]
        for (key, value) in members { if case let .number(count) = value, count > 0 { out[key] = count } }
        return out
    }

    /// Status codes step `name` recorded, with counts.
    func statusCodes(_ name: String) -> [String: Double] {
        guard case let .object(members)? = step(name)?["statusCodes"] else { return [:] }
        var out: [String: Double] = [:]
        for (key, value) in members { if case let .number(count) = value { out[key] = count } }
        return out
    }

    /// The first error sample's message of step `name`.
    func firstErrorMessage(_ name: String) -> String {
        string(step(name)?.resolve(pointer: "/errorSamples/0/message")) ?? ""
    }

    private func string(_ value: JSONValue?) -> String? {
        if case let .string(text)? = value { return text }
        return nil
    }
}

/// A value shared between threads behind a lock (the two engine runs of `EngineRun.both`).
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// What the hostile peer's `/counts` says: connections accepted and requests per path.
struct PeerCounts {
    let connections: Int
    let requests: [String: Int]

    init(_ peer: PeerProcess) throws {
        let response = BlockingHTTP.perform(method: "GET", url: "http://127.0.0.1:\(peer.port)/counts", headers: [], tls: TLSOptions())
        let document = try JSONParser.parse(response.body)
        if case let .number(count)? = document["connections"] { connections = Int(count) } else { connections = -1 }
        var requests: [String: Int] = [:]
        if case let .object(members)? = document["requests"] {
            for (key, value) in members { if case let .number(count) = value { requests[key] = Int(count) } }
        }
        self.requests = requests
    }
}
