import Foundation
import Testing
@testable import LoadGate

/// A scenario written into a fresh scratch folder, run by the `loadgate` binary into
/// `<scratch>/out`, and its summary read back: the skeleton of most end-to-end tests.
struct ScenarioFile {
    let scratch: ScratchDirectory
    /// The scenario file's path.
    let path: String

    init(_ json: String, name: String = "s.json") throws {
        scratch = try ScratchDirectory()
        path = try scratch.write(name, json)
    }

    /// The run's output folder.
    var out: String { scratch.path("out") }

    /// `loadgate <command> FILE --out OUT --quiet`, then `extra`.
    func run(_ extra: [String] = [], command: String = "run", environment: [String: String] = [:],
             interruptAfter: Double? = nil) throws -> CLIRun {
        try CLIRun.run([command, path, "--out", out, "--quiet"] + extra, environment: environment, interruptAfter: interruptAfter)
    }

    /// Starts `loadgate run FILE --out OUT --quiet` in the background, its output discarded; the
    /// caller signals and waits for the returned process.
    func start() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRun.binary)
        process.arguments = ["run", path, "--out", out, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs (see `run`), expects the exit code `exitCode` and returns the run's summary.
    func summary(afterRunExiting exitCode: Int32, _ extra: [String] = []) throws -> JSONValue {
        let run = try run(extra)
        #expect(run.exitCode == exitCode, "stderr: \(run.stderr)")
        return try summary()
    }

    /// The run's `summary.json`, parsed.
    func summary() throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
    }
}
