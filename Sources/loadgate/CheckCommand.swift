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
        var problems: [Diagnostic] = []
        let concurrency = args.integer("concurrency", in: Limits.workers, problems: &problems) ?? 8
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }
        let environment = ProcessInfo.processInfo.environment
        SecretRegistration.inputs([file] + [args.values["attestations"]].compactMap { $0 }, environment: environment)
        var checklist: Checklist?
        do { checklist = try ChecklistLoader(environment: environment).load(path: file) } catch { problems += error.diagnostics }
        var attestations = Attestations()
        if let path = args.values["attestations"] {
            do { attestations = try Attestations.load(path: path) } catch { problems += error.diagnostics }
        }
        guard problems.isEmpty, let checklist else { throw .invalidInput(ValidationFailure(problems)) }
        try checkSelection(checklist, section: args.values["section"], tag: args.values["only"])
        SecretRegistration.loaded(checklist.secretValues)
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
        return run.verdict.exitCode
    }

    /// `--section` and `--only` must name what the checklist has, and together select at least
    /// one item: a selection of nothing would pass with every item skipped.
    static func checkSelection(_ checklist: Checklist, section: String?, tag: String?) throws(CLIError) {
        var problems: [Diagnostic] = []
        let sections = Array(Set(checklist.items.map(\.section))).sorted()
        let tags = Array(Set(checklist.items.flatMap(\.tags))).sorted()
        func unknown(_ flag: String, _ noun: String, _ value: String, _ known: [String]) {
            let list = known.isEmpty ? "the checklist has no \(noun)s" : "\(noun)s: \(known.joined(separator: ", "))"
            let hint = closestMatch(to: value, in: known).map { "did you mean '\($0)'? " } ?? ""
            problems.append(Diagnostic(file: "command line", path: flag, message: "no \(noun) \"\(value)\"; \(hint)(\(list))"))
        }
        if let section, !sections.contains(section) { unknown("--section", "section", section, sections) }
        if let tag, !tags.contains(tag) { unknown("--only", "tag", tag, tags) }
        if problems.isEmpty, let section, let tag,
           !checklist.items.contains(where: { $0.section == section && $0.tags.contains(tag) }) {
            problems.append(Diagnostic(file: "command line", path: "--only",
                                       message: "no item of section \"\(section)\" is tagged \"\(tag)\"; nothing would be checked"))
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }
    }
}
