import Foundation
import LoadGate

/// `loadgate check CHECKLIST`: walk a deployment verification checklist; exit 0 only if every
/// selected, non-waived item passed.
enum CheckCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["attestations", "only", "section", "concurrency", "out"],
                                    boolean: ["quiet", "help"], command: "check")
        if args.flags.contains("help") { StandardOutput.write(HelpText.check); return ExitCode.passed }
        guard let file = args.positionals.first else { throw .usage("missing CHECKLIST file", command: "check") }
        if args.positionals.count > 1 { throw .usage("unexpected argument '\(args.positionals[1])'", command: "check") }
        var concurrency = 8
        if let text = args.values["concurrency"] {
            guard let value = Int(text), (1...64).contains(value) else {
                throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--concurrency", message: "\"\(text)\" must be a whole number from 1 to 64")]))
            }
            concurrency = value
        }
        let environment = ProcessInfo.processInfo.environment
        SecretRegistration.inputs([file] + [args.values["attestations"]].compactMap { $0 }, environment: environment)
        var problems: [Diagnostic] = []
        var checklist: Checklist?
        do { checklist = try ChecklistLoader(environment: environment).load(path: file) } catch { problems += error.diagnostics }
        var attestations = Attestations()
        if let path = args.values["attestations"] {
            do { attestations = try Attestations.load(path: path) } catch { problems += error.diagnostics }
        }
        guard problems.isEmpty, let checklist else { throw .invalidInput(ValidationFailure(problems)) }
        SecretRegistration.loaded(checklist.secretValues)
        let sections = Set(checklist.items.map(\.section))
        if let section = args.values["section"], !sections.contains(section) {
            let hint = closestMatch(to: section, in: sections.sorted()).map { "; did you mean '\($0)'?" } ?? "; sections: \(sections.sorted().joined(separator: ", "))"
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--section", message: "no section \"\(section)\"\(hint)")]))
        }

        let outputDirectory = try RunCommand.prepareOutput(args.values["out"], folderName: "\(checklist.name)-check", marker: "checklist.json")
        let runner = ChecklistRunner(concurrency: concurrency, onlyTags: Set(args.values["only"].map { [$0] } ?? []),
                                     sections: Set(args.values["section"].map { [$0] } ?? []))
        let context = CheckContext(environment: environment, attestations: attestations, now: Date().timeIntervalSince1970)
        let run = runner.run(checklist, file: file, context: context, attestationsFile: args.values["attestations"])
        let output = outputDirectory.appendingPathComponent("checklist.json")
        do {
            try AtomicFile.write(ChecklistReport.json(run, libcurlVersion: CurlVersion.description), to: output)
        } catch {
            throw .internalError("cannot write \(output.path): \(error.localizedDescription)")
        }
        StandardOutput.write(ChecklistReport.table(run, resultsPath: RunCommand.relativePath(output.path)))
        return run.passed ? ExitCode.passed : ExitCode.gateFailed
    }
}
