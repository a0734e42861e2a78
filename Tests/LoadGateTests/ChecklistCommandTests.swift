import Foundation
import Testing
@testable import LoadGate

/// Runs a one-section checklist through the `loadgate check` binary and returns its items by id.
enum ChecklistCLI {
    static func run(_ items: String, in scratch: ScratchDirectory, environment: [String: String] = [:]) throws -> (run: CLIRun, items: [String: JSONValue], out: String) {
        let file = try scratch.write("c-\(UUID().uuidString).json", "{\"name\": \"t\", \"sections\": {\"tests\": [\(items)]}}")
        let out = scratch.path("out-\(UUID().uuidString)")
        let run = try CLIRun.run(["check", file, "--out", out], environment: environment)
        let items = FileManager.default.fileExists(atPath: out + "/checklist.json") ? try ChecklistIntegrationTests.items(out) : [:]
        return (run, items, out)
    }

    static func number(_ item: JSONValue?, _ key: String) -> Double {
        if case let .number(value)? = item?[key] { return value }
        return -1
    }
}

/// Processes whose command line is exactly `argv`, from /proc.
func processes(withArgv argv: [String]) -> [Int32] {
    let wanted = Array(argv.joined(separator: "\0").utf8) + [0]
    var found: [Int32] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        if Array(data) == wanted { found.append(pid) }
    }
    return found
}

@Suite("checklist command items")
struct ChecklistCommandTests {
    /// A sleep duration no other test or run uses, so the process can be found by its argv.
    static func uniqueSleep() -> String { "9\(Int.random(in: 10_000...99_999))" }

    @Test("the process finder the other tests rely on finds a live sleep, and not once it is gone")
    func processFinderSeesLiveProcesses() throws {
        let seconds = Self.uniqueSleep()
        let sleep = Process()
        sleep.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleep.arguments = [seconds]
        try sleep.run()
        var found: [Int32] = []
        for _ in 0..<100 where found.isEmpty {  // until the child has exec'd (up to 2 s)
            found = processes(withArgv: ["/bin/sleep", seconds])
            if found.isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(found == [sleep.processIdentifier])
        kill(sleep.processIdentifier, SIGKILL)
        sleep.waitUntilExit()
        #expect(processes(withArgv: ["/bin/sleep", seconds]).isEmpty)
    }

    @Test("a command that exits while a background sleep holds its output is judged on its exit, and the sleep does not outlive the check")
    func backgroundChildHoldingOutput() throws {
        let scratch = try ScratchDirectory()
        let seconds = Self.uniqueSleep()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "forks", "kind": "command", "params": {"argv": ["sh", "-c", "sleep \(seconds) & echo started"], "outputPattern": "started"}, "timeout": "8s"}
        """, in: scratch)
        defer { for pid in processes(withArgv: ["sleep", seconds]) { kill(pid, SIGKILL) } }
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(items["forks"]?["status"] == .string("passed"))
        #expect((0..<3).contains(ChecklistCLI.number(items["forks"], "duration")), "judged when sh exits, not when the sleep lets go of the pipe")
        #expect(processes(withArgv: ["sleep", seconds]).isEmpty, "the background sleep was left running")
    }

    @Test("on timeout the whole process group is killed and the item is reported at its timeout")
    func timeoutKillsTheGroup() throws {
        let scratch = try ScratchDirectory()
        let background = Self.uniqueSleep(), foreground = Self.uniqueSleep()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "hangs", "kind": "command", "params": {"argv": ["sh", "-c", "sleep \(background) & sleep \(foreground)"]}, "timeout": "1s"}
        """, in: scratch)
        defer { for pid in processes(withArgv: ["sleep", background]) + processes(withArgv: ["sleep", foreground]) { kill(pid, SIGKILL) } }
        #expect(run.exitCode == 1)
        #expect(items["hangs"]?["status"] == .string("failed"))
        #expect(ChecklistIntegrationTests.text(items["hangs"], "message") == "the command did not finish within 1s")
        let duration = ChecklistCLI.number(items["hangs"], "duration")
        #expect(duration >= 1 && duration < 2, "reported at its timeout, not at the runner's grace: \(duration)")
        #expect(processes(withArgv: ["sleep", background]).isEmpty, "a grandchild outlived the timeout")
        #expect(processes(withArgv: ["sleep", foreground]).isEmpty)
    }

    @Test("argv runs directly: an argv starting with -S is a missing program, not env's split-string shell")
    func noEnvIndirection() throws {
        let scratch = try ScratchDirectory()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "split", "kind": "command", "params": {"argv": ["-S", "echo injected"]}},
        {"id": "direct", "kind": "command", "params": {"argv": ["echo", "direct"], "outputPattern": "^direct"}}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(items["split"]?["status"] == .string("failed"))
        #expect(ChecklistIntegrationTests.text(items["split"], "message").hasPrefix("cannot run -S"))
        #expect(!ChecklistIntegrationTests.text(items["split"], "observed").contains("injected"))
        #expect(items["direct"]?["status"] == .string("passed"), "a program found on PATH still runs")
    }

    @Test("command output is capped: 1 MiB kept, the rest counted")
    func outputCapped() throws {
        let scratch = try ScratchDirectory()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "chatty", "kind": "command", "params": {"argv": ["head", "-c", "3000000", "/dev/zero"]}},
        {"id": "quiet", "kind": "command", "params": {"argv": ["echo", "short"]}}
        """, in: scratch)
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(ChecklistIntegrationTests.text(items["chatty"], "observed").contains("(3000000 bytes, first 1048576 kept)"))
        #expect(!ChecklistIntegrationTests.text(items["quiet"], "observed").contains("kept"))
    }

    @Test("a command exiting with the wrong status fails with that status")
    func wrongExit() throws {
        let scratch = try ScratchDirectory()
        let (run, items, _) = try ChecklistCLI.run("""
        {"id": "three", "kind": "command", "params": {"argv": ["sh", "-c", "exit 3"]}},
        {"id": "expected-three", "kind": "command", "params": {"argv": ["sh", "-c", "exit 3"], "exitCode": 3}}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(ChecklistIntegrationTests.text(items["three"], "message") == "the command exited 3")
        #expect(items["expected-three"]?["status"] == .string("passed"))
    }
}
