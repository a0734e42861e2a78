import Foundation
import Testing
@testable import LoadGate

/// Bad numbers, line breaks, byte order marks and selections, as a user meets them on the command
/// line: exit 2 with a located message, never a crash; good input still runs.
@Suite("Input validation at the command line")
struct InputValidationTests {
    static let scenario = """
    {"name": "s", "target": "http://127.0.0.1:1", "load": {"rate": 5, "duration": "1s"},
     "steps": [{"name": "a", "request": {"path": "/"}}]}
    """

    @Test("--rate 1e19 is refused naming the flag (it used to crash with SIGILL)")
    func hugeRateFlag() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario)
        let run = try CLIRun.run(["run", file, "--rate", "1e19", "--out", scratch.path("out")])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: command line: --rate: "1e19" must be greater than 0 and at most 10000000 iterations per second
        loadgate: 1 problem found; nothing was run.

        """)
    }

    @Test("\"rate\": 1e300 in a file is refused at its JSON path")
    func hugeRateInFile() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario.replacingOccurrences(of: "\"rate\": 5", with: "\"rate\": 1e300"))
        let run = try CLIRun.run(["run", file, "--out", scratch.path("out")])
        #expect(run.exitCode == 2)
        #expect(run.stderr.hasPrefix("error: \(file): load.rate: 1e300 is out of range; it must be between 0 and 10000000\n"), "\(run.stderr)")
        let valid = try CLIRun.run(["validate", try scratch.write("ok.json", Self.scenario)])
        #expect(valid.exitCode == 0, "the same file with a sane rate validates")
    }

    @Test("capacity --connections 1e300 and --workers 2.5 are refused naming their flags")
    func capacityFlags() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario)
        let run = try CLIRun.run(["capacity", file, "--connections", "1e300", "--workers", "2.5", "--out", scratch.path("out")])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: command line: --connections: 1e300 is out of range; it must be between 1 and 1000000
        error: command line: --workers: 2.5 is not a whole number; it must be a whole number from 1 to 64
        loadgate: 2 problems found; nothing was run.

        """)
    }

    @Test("a checklist \"port\": 1e300 is refused at its JSON path")
    func hugePortInChecklist() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("c.json", """
        {"name": "c", "sections": {"net": [{"id": "p", "kind": "tcp", "params": {"host": "127.0.0.1", "port": 1e300}}]}}
        """)
        let run = try CLIRun.run(["check", file, "--out", scratch.path("out")])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: \(file): sections.net[0].params.port: 1e300 is out of range; it must be between 1 and 65535
        loadgate: 1 problem found; nothing was run.

        """)
    }

    @Test("--vus and --rate overrides are checked as flags, and --rate needs a duration from somewhere")
    func overrideErrorsNameTheFlag() throws {
        let scratch = try ScratchDirectory()
        let iterations = try scratch.write("i.json", """
        {"name": "i", "target": "http://127.0.0.1:1", "load": {"vus": 1, "iterations": 5}, "steps": [{"name": "a", "request": {"path": "/"}}]}
        """)
        let vus = try CLIRun.run(["run", iterations, "--vus", "1e9"])
        #expect(vus.exitCode == 2)
        #expect(vus.stderr.hasPrefix("error: command line: --vus: 1e9 is out of range; it must be between 1 and 100000 of virtual users (1-100000)\n"), "\(vus.stderr)")
        let rate = try CLIRun.run(["run", iterations, "--rate", "10"])
        #expect(rate.exitCode == 2)
        #expect(rate.stderr.hasPrefix("error: command line: --rate: needs a run length: the scenario's load has no \"duration\"; add --duration\n"), "\(rate.stderr)")
    }

    @Test("a bad --target is reported at the flag, once, not at the file or by every step")
    func targetFlag() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", Self.scenario)
        let run = try CLIRun.run(["run", file, "--target", "file:///etc/passwd"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: command line: --target: "file:///etc/passwd" is not an absolute http:// or https:// URL
        loadgate: 1 problem found; nothing was run.

        """)
    }

    @Test("check --only or --section that selects nothing exits 2 naming what exists; a real tag runs")
    func emptySelection() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("c.json", """
        {"name": "c", "sections": {"ops": [{"id": "t", "kind": "command", "tags": ["fast"], "params": {"argv": ["true"]}}],
                                   "docs": [{"id": "m", "kind": "manual", "tags": ["paper"], "params": {}}]}}
        """)
        let tag = try CLIRun.run(["check", file, "--only", "fats", "--out", scratch.path("o1")])
        #expect(tag.exitCode == 2)
        #expect(tag.stderr == """
        error: command line: --only: no tag "fats"; did you mean 'fast'? (tags: fast, paper)
        loadgate: 1 problem found; nothing was run.

        """)
        let section = try CLIRun.run(["check", file, "--section", "NOPE", "--out", scratch.path("o2")])
        #expect(section.exitCode == 2)
        #expect(section.stderr.hasPrefix("error: command line: --section: no section \"NOPE\"; did you mean 'ops'? (sections: docs, ops)\n"), "\(section.stderr)")
        let both = try CLIRun.run(["check", file, "--section", "docs", "--only", "fast", "--out", scratch.path("o3")])
        #expect(both.exitCode == 2)
        #expect(both.stderr.hasPrefix("error: command line: --only: no item of section \"docs\" is tagged \"fast\"; nothing would be checked\n"))
        let good = try CLIRun.run(["check", file, "--only", "fast", "--out", scratch.path("o4"), "--quiet"])
        #expect(good.exitCode == 0, "\(good.stdout)\(good.stderr)")
    }

    @Test("a line break in a header, path, URL or checklist header is refused at validation")
    func lineBreaksRefused() throws {
        let scratch = try ScratchDirectory()
        let scenario = try scratch.write("s.json", #"""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"rate": 5, "duration": "1s"},
         "steps": [{"name": "a", "request": {"path": "/x\r\nHost: evil", "headers": {"X-A": "v\nX-Injected: 1"}}},
                   {"name": "b", "request": {"url": "http://127.0.0.1:1/\r\n"}},
                   {"name": "w", "workflow": {"submit": {"method": "POST /x HTTP/1.1\r\nHost: y\r\n", "path": "/w"}, "statusPath": "/w/${id}\n"}}]}
        """#)
        let checklist = try scratch.write("c.json", #"""
        {"name": "c", "sections": {"s": [{"id": "h", "kind": "http", "params": {"url": "http://127.0.0.1:1/", "headers": {"X-A": "1\r\nX-B: 2"}}}]}}
        """#)
        let run = try CLIRun.run(["validate", scenario, checklist])
        #expect(run.exitCode == 2)
        let breakMessage = "must not contain a line break (CR or LF): it would end the request line or header"
        #expect(run.stderr == """
        error: \(scenario): steps[0].request.path: \(breakMessage)
        error: \(scenario): steps[0].request.headers.X-A: \(breakMessage)
        error: \(scenario): steps[1].request.url: \(breakMessage)
        error: \(scenario): steps[2].workflow.submit.method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS
        error: \(scenario): steps[2].workflow.statusPath: \(breakMessage)
        error: \(checklist): sections.s[0].params.headers.X-A: \(breakMessage)
        loadgate: 6 problems found; nothing was run.

        """)
    }

    @Test("files starting with a UTF-8 byte order mark load: scenario, checklist and attestations")
    func byteOrderMark() throws {
        let scratch = try ScratchDirectory()
        let bom = "\u{FEFF}"
        let scenario = try scratch.write("s.json", bom + Self.scenario)
        let checklist = try scratch.write("c.json", bom + #"{"name": "c", "sections": {"s": [{"id": "m", "kind": "manual"}]}}"#)
        let attestations = try scratch.write("a.json", bom + #"[{"id": "m", "by": "me", "at": "2026-11-25", "evidence": "seen"}]"#)
        let run = try CLIRun.run(["validate", scenario, checklist, attestations])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == """
        \(scenario): ok — 1 step, open model 5/s for 1s, 2 SLOs (defaults: p95 < 2s, availability >= 99.9%)
        \(checklist): ok — checklist c, 1 item in 1 section
        \(attestations): ok — attestations, 1 entry

        """)
    }

    @Test("validate tells scenarios, checklists and attestations apart and reports each shipped file")
    func validateShippedInputs() throws {
        let root = PeerProcess.packageRoot
        var files: [String] = []
        for folder in ["checklists", "scenarios"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).filter { $0.hasSuffix(".json") }.sorted()
            files += names.map { root.appendingPathComponent(folder).appendingPathComponent($0).path }
        }
        let run = try CLIRun.run(["validate"] + files)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").filter { !$0.contains(": warning: ") }
        #expect(lines.count == files.count, "one line per file")
        #expect(lines.contains { $0.hasSuffix("demo-attestations.json: ok — attestations, 1 entry") })
        #expect(lines.contains { $0.hasSuffix("deployment-verification.json: ok — checklist deployment-verification, 27 items in 4 sections") })
        #expect(lines.contains { $0.hasSuffix("health-rate.json: ok — 2 steps, open model 100/s for 30s, 4 SLOs") })
        #expect(lines.filter { $0.contains("skipped — a JSON Schema") }.count == 2)
    }

    @Test("an invalid target is reported once, not again by every step that needs it")
    func noFollowOnErrors() {
        do {
            _ = try ScenarioLoader(environment: [:]).load(bytes: Array("""
            {"name": "s", "target": "ftp://host", "load": {"rate": 5, "duration": "1s"},
             "steps": [{"name": "a", "request": {"path": "/"}, "capture": {"id": "/id"}},
                       {"name": "b", "request": {"path": "/${captured.id}"}},
                       {"name": "w", "workflow": {"submit": {"path": "/w"}, "statusPath": "/w/${id}"}}],
             "slos": ["b: p95 < 1s"]}
            """.utf8), file: "s.json")
            Issue.record("expected errors")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["s.json: target: \"ftp://host\" is not an absolute http:// or https:// URL"])
        }
    }

    @Test("every unset variable of a checklist is reported in one run, several per item")
    func everyUnsetVariable() throws {
        do {
            _ = try ChecklistLoader(environment: [:]).load(bytes: Array("""
            {"name": "c", "sections": {"s": [{"id": "t", "kind": "tcp", "params": {"host": "${env.H}", "port": "${env.P}"}},
                                             {"id": "h", "kind": "http", "params": {"url": "${env.U}", "headers": {"A": "${env.T1} ${env.T2}"}}}]}}
            """.utf8), file: "c.json")
            Issue.record("expected errors")
        } catch {
            #expect(error.diagnostics.map(\.path) == ["sections.s[0].params.host", "sections.s[0].params.port", "sections.s[1].params.url",
                                                      "sections.s[1].params.headers.A", "sections.s[1].params.headers.A"])
            #expect(error.diagnostics.map(\.message).allSatisfy { $0.hasPrefix("environment variable ") })
        }
    }

    @Test("the workflow step's dead statusUrl key is gone")
    func statusUrlRemoved() {
        do {
            _ = try ScenarioLoader(environment: [:]).load(bytes: Array("""
            {"name": "s", "target": "http://127.0.0.1:1", "load": {"rate": 5, "duration": "1s"},
             "steps": [{"name": "w", "workflow": {"submit": {"path": "/w"}, "statusPath": "/w/${id}", "statusUrl": "http://x/${id}"}}]}
            """.utf8), file: "s.json")
            Issue.record("expected errors")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["s.json: steps[0].workflow.statusUrl: unknown key; allowed: submit, statusPath, idPointer, statePointer, done, failed, pollInterval, timeout, headers"])
        }
    }
}
