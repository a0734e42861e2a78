import LoadGate

/// Every way a command can end other than with a verdict, as data. Rendered to text and mapped to
/// an exit code in one place (`render`, `exitCode`); the codes themselves are the library's
/// `ExitCode` contract, shared with `Verdict.exitCode`.
enum CLIError: Error {
    /// Bad flags or arguments: exit 2, with a pointer to the command's help.
    case usage(String, command: String?)
    /// Input files that do not validate: exit 2, every diagnostic listed.
    case invalidInput(ValidationFailure)
    /// A bug or an environment failure (cannot write results): exit 4.
    case internalError(String)

    var exitCode: Int32 {
        switch self {
        case .usage, .invalidInput: return ExitCode.invalidInput
        case .internalError: return ExitCode.internalError
        }
    }

    var render: String {
        switch self {
        case let .usage(message, command):
            let help = command.map { "loadgate \($0) --help" } ?? "loadgate --help"
            return "loadgate: error: \(message)\nRun '\(help)' for usage.\n"
        case let .invalidInput(failure):
            let count = failure.diagnostics.count
            return failure.diagnostics.map { "error: \($0)\n" }.joined()
                + "loadgate: \(count) problem\(count == 1 ? "" : "s") found; nothing was run.\n"
        case let .internalError(message):
            return "loadgate: internal error: \(message)\n"
        }
    }
}
