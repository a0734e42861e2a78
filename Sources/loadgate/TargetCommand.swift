import Foundation
import LoadGate

/// `loadgate target`: run the built-in demo target on loopback until Ctrl-C.
/// `loadgate demo`: start it in-process and gate it with the shipped demo checklist and scenarios.
enum TargetCommand {
    static func faults(_ args: ArgumentList) throws(CLIError) -> FaultProfile {
        var faults = FaultProfile()
        var problems: [Diagnostic] = []
        faults.latency = args.parsed("latency", FaultProfile.parseLatency, complaint: "is not a distribution; use fixed:10ms, uniform:5ms-20ms or lognormal:10ms,0.5",
                                     problems: &problems) ?? faults.latency
        let share = { (text: String) -> Double? in
            Double(text.hasSuffix("%") ? String(text.dropLast()) : text).map { text.hasSuffix("%") ? $0 / 100 : $0 }.flatMap { (0...1).contains($0) ? $0 : nil }
        }
        faults.errorRate = args.parsed("error-rate", share, complaint: "must be a share from 0 to 1 (or 0% to 100%)", problems: &problems) ?? faults.errorRate
        faults.stall = args.parsed("stall", FaultProfile.parseStall, complaint: "must be EVERY:FOR with EVERY > FOR, e.g. 10s:1s", problems: &problems) ?? faults.stall
        faults.slowAfter = args.parsed("slow-after", FaultProfile.parseSlowAfter, complaint: "must be AFTER:ADDED, e.g. 15s:80ms (from 15 s on, answer 80 ms slower)",
                                       problems: &problems) ?? faults.slowAfter
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }
        return faults
    }

    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["port", "host", "latency", "error-rate", "stall", "slow-after", "workflow-duration"],
                                    boolean: ["mcp-json", "mcp-sse", "help"], command: "target")
        if args.flags.contains("help") { StandardOutput.write(HelpText.target); return ExitCode.passed }
        let faults = try faults(args)
        var port = 0
        if let text = args.values["port"] {
            guard let value = Int(text), (0...65535).contains(value) else {
                throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--port", message: "\"\(text)\" is not a port")]))
            }
            port = value
        }
        let target: DemoTarget
        do {
            target = try DemoTarget(host: args.values["host"] ?? "127.0.0.1", port: port, faults: faults, mcpSSE: args.flags.contains("mcp-sse"),
                                    workflowDurationNanos: args.values["workflow-duration"].flatMap(DurationText.parseNanos) ?? 200_000_000)
        } catch {
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--host", message: error.description)]))
        }
        StandardOutput.write("loadgate demo target listening on \(target.baseURL) (Ctrl-C to stop)\n")
        var signals = SignalWatch()
        while !signals.wait(milliseconds: 1_000) {}
        signals.restore()
        target.stop()
        return ExitCode.passed
    }

    /// Files shipped with LoadGate, found from the working directory or the binary's checkout.
    static func shipped(_ relative: String) -> String? {
        if FileManager.default.fileExists(atPath: relative) { return relative }
        var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        for _ in 0..<8 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let demoScenarios = ["scenarios/demo-health.json", "scenarios/demo-mcp.json", "scenarios/demo-agents.json"]

    static func demo(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["out"], boolean: ["quiet", "help"], command: "demo")
        if args.flags.contains("help") { StandardOutput.write(HelpText.demo); return ExitCode.passed }
        let files = demoScenarios + ["checklists/demo.json", "checklists/demo-attestations.json"]
        var located: [String: String] = [:]
        for file in files {
            guard let path = shipped(file) else { throw .internalError("\(file) not found; run loadgate demo from the LoadGate checkout") }
            located[file] = path
        }
        let target: DemoTarget
        do { target = try DemoTarget() } catch { throw .internalError("cannot start the demo target: \(error.description)") }
        defer { target.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["LOADGATE_DEMO_TARGET"] = target.baseURL
        environment["LOADGATE_DEMO_PORT"] = String(target.port)
        // A throwaway credential, so the demo shows redaction and the secrets check at work.
        environment["LOADGATE_DEMO_TOKEN"] = "demo-" + UUID().uuidString.lowercased()
        if !args.flags.contains("quiet") { StandardError.write("demo target on \(target.baseURL)\n") }
        return try GateCommand.run(scenarioFiles: demoScenarios.map { located[$0]! }, checklistFile: located["checklists/demo.json"],
                                   attestationsFile: located["checklists/demo-attestations.json"], out: args.values["out"], folderName: "demo",
                                   continueOnFail: false, workersText: nil, quiet: args.flags.contains("quiet"), environment: environment)
    }
}
