import Foundation
import LoadGate

/// Entry point: dispatch to a command, render any error in one place, exit with the contract's code.
CurlVersion.initialize()
OpenFileBudget.raiseSoftLimit()
// The signing key is a secret in every command (see SecretRegistration for the inputs' secrets).
Redaction.register([ProcessInfo.processInfo.environment[ReportBundle.signingKeyVariable] ?? ""])
let arguments = Array(CommandLine.arguments.dropFirst())
let code: Int32
do {
    switch arguments.first {
    case "run": code = try RunCommand.execute(Array(arguments.dropFirst()))
    case "capacity": code = try CapacityCommand.execute(Array(arguments.dropFirst()))
    case "target": code = try TargetCommand.execute(Array(arguments.dropFirst()))
    case "demo": code = try TargetCommand.demo(Array(arguments.dropFirst()))
    case "gate": code = try GateCommand.execute(Array(arguments.dropFirst()))
    case "compare": code = try CompareCommand.execute(Array(arguments.dropFirst()))
    case "verify": code = try VerifyCommand.execute(Array(arguments.dropFirst()))
    case "report": code = try ReportCommand.execute(Array(arguments.dropFirst()))
    case "check": code = try CheckCommand.execute(Array(arguments.dropFirst()))
    case "validate": code = try ValidateCommand.execute(Array(arguments.dropFirst()))
    case "merge": code = try MergeCommand.execute(Array(arguments.dropFirst()))
    case "kube": code = try KubeCommand.execute(Array(arguments.dropFirst()))
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
        let known = ["run", "capacity", "check", "gate", "verify", "report", "target", "demo", "validate", "merge", "kube", "compare", "version", "help"]
        let hint = known.first { $0.hasPrefix(String(command.prefix(2))) }.map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError.usage("unknown command '\(command)'\(hint)", command: nil)
    }
} catch let error as CLIError {
    StandardError.write(error.render)
    code = error.exitCode
} catch {
    StandardError.write(CLIError.internalError(String(describing: error)).render)
    code = ExitCode.internalError
}
exit(code)
