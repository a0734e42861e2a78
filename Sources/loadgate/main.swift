import Foundation
import LoadGate

/// Entry point: dispatch to a command, render any error in one place, exit with the contract's code.
CurlVersion.initialize()
OpenFileBudget.raiseSoftLimit()
// The signing key is a secret in every command (see SecretRegistration for the inputs' secrets).
Redaction.register([ProcessInfo.processInfo.environment[ReportBundle.signingKeyVariable] ?? ""])
let arguments = Array(CommandLine.arguments.dropFirst())
/// The commands that take the rest of the arguments, in the order "did you mean" tries them.
let commands: [(name: String, execute: ([String]) throws(CLIError) -> Int32)] = [
    ("run", RunCommand.execute), ("capacity", CapacityCommand.execute), ("check", CheckCommand.execute),
    ("gate", GateCommand.execute), ("verify", VerifyCommand.execute), ("report", ReportCommand.execute),
    ("target", TargetCommand.execute), ("demo", TargetCommand.demo), ("validate", ValidateCommand.execute),
    ("merge", MergeCommand.execute), ("kube", KubeCommand.execute), ("compare", CompareCommand.execute),
]
let code: Int32
do {
    if let command = commands.first(where: { $0.name == arguments.first }) {
        code = try command.execute(Array(arguments.dropFirst()))
    } else {
        switch arguments.first {
        case "version", "--version":
            if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
                StandardOutput.write(HelpText.version)
            } else {
                StandardOutput.write("\(LoadGateVersion.name) \(LoadGateVersion.current) (\(CurlVersion.description))\n")
            }
            code = ExitCode.passed
        case nil, "--help", "-h", "help":
            StandardOutput.write(HelpText.main)
            code = arguments.isEmpty ? ExitCode.invalidInput : ExitCode.passed
        case let command?:
            let known = commands.map(\.name) + ["version", "help"]
            let hint = known.first { $0.hasPrefix(String(command.prefix(2))) }.map { "; did you mean '\($0)'?" } ?? ""
            throw CLIError.usage("unknown command '\(command)'\(hint)", command: nil)
        }
    }
} catch let error as CLIError {
    StandardError.write(error.render)
    code = error.exitCode
} catch {
    StandardError.write(CLIError.internalError(String(describing: error)).render)
    code = ExitCode.internalError
}
exit(code)
