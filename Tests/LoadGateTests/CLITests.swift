import Foundation
import Testing

/// The exact text a user sees for usage mistakes, and the exit codes.
@Suite("loadgate command line")
struct CLITests {
    @Test("an unknown option names itself, suggests the right one and exits 2")
    func unknownOption() throws {
        let run = try CLIRun.run(["run", "x.json", "--duraton", "5s"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == "loadgate: error: unknown option '--duraton'; did you mean '--duration'?\nRun 'loadgate run --help' for usage.\n")
    }

    @Test("an unknown command exits 2")
    func unknownCommand() throws {
        let run = try CLIRun.run(["rnu"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == "loadgate: error: unknown command 'rnu'\nRun 'loadgate --help' for usage.\n")
    }

    @Test("bad flag values are reported together with their flag")
    func badFlagValues() throws {
        let run = try CLIRun.run(["run", "x.json", "--rate", "fast", "--duration", "10"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: command line: --rate: "fast" is not a positive number of iterations per second
        error: command line: --duration: "10" has no unit; write "10s" or "10ms"
        loadgate: 2 problems found; nothing was run.

        """)
    }

    @Test("a missing scenario file is a located input error")
    func missingFile() throws {
        let run = try CLIRun.run(["run", "/nonexistent/s.json"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == "error: /nonexistent/s.json: no such file\nloadgate: 1 problem found; nothing was run.\n")
    }

    @Test("--help prints usage and exits 0; version names libcurl")
    func helpAndVersion() throws {
        let help = try CLIRun.run(["run", "--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdout.hasPrefix("Usage: loadgate run SCENARIO [options]"))
        let version = try CLIRun.run(["version"])
        #expect(version.exitCode == 0)
        #expect(version.stdout.hasPrefix("loadgate 0.1.0 (libcurl/"))
    }

    @Test("every shipped scenario validates")
    func shippedScenariosValidate() throws {
        let directory = PeerProcess.packageRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
        #expect(!files.isEmpty)
        let run = try CLIRun.run(["validate"] + files.map { directory.appendingPathComponent($0).path })
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: ": ok").count - 1 == files.count)
    }

    @Test("validate lists every problem of every file and exits 2, without follow-on errors of a misspelled key")
    func validateReportsAll() throws {
        let scratch = try ScratchDirectory()
        let good = try scratch.write("good.json", """
        {"name": "g", "target": "http://127.0.0.1:1", "load": {"rate": 5, "duration": "1s"}, "steps": [{"name": "a", "request": {"path": "/"}}]}
        """)
        let bad = try scratch.write("bad.json", """
        {"name": "b", "target": "http://127.0.0.1:1", "load": {"rate": 5, "duration": "1s"}, "stpes": []}
        """)
        let run = try CLIRun.run(["validate", good, bad])
        #expect(run.exitCode == 2)
        #expect(run.stdout == "\(good): ok — 1 step, open model 5/s for 1s, 2 SLOs (defaults: p95 < 2s, availability >= 99.9%)\n")
        #expect(run.stderr == """
        error: \(bad): stpes: unknown key; did you mean 'steps'?
        loadgate: 1 problem found; nothing was run.

        """)
    }
}

@Suite("Shipped JSON Schema")
struct SchemaTests {
    @Test("every shipped scenario and checklist validates against its shipped JSON Schema (Draft 2020-12)")
    func shippedScenariosMatchSchema() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PeerProcess.venvPython)
        process.currentDirectoryURL = PeerProcess.packageRoot
        process.arguments = ["-c", """
        import glob, json, jsonschema
        schema = json.load(open("scenarios/scenario.schema.json"))
        jsonschema.Draft202012Validator.check_schema(schema)
        files = [f for f in sorted(glob.glob("scenarios/*.json")) if not f.endswith(".schema.json")]
        for f in files:
            jsonschema.validate(json.load(open(f)), schema)
        checklist_schema = json.load(open("checklists/checklist.schema.json"))
        jsonschema.Draft202012Validator.check_schema(checklist_schema)
        for f in [f for f in sorted(glob.glob("checklists/*.json")) if not f.endswith(".schema.json") and "attestations" not in f]:
            jsonschema.validate(json.load(open(f)), checklist_schema)
        print(len(files))
        """]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect((Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 6)
    }
}
