import LoadGate

/// Every way a command can end other than with a verdict, as data. Rendered to text and mapped to
/// an exit code in one place (`render`, `exitCode`), so the contract CI relies on lives here.
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

/// The exit-code contract: 0 passed · 1 gate failed · 2 invalid usage or input · 3 verdict invalid
/// (interrupted, or the requested load could not be generated) · 4 internal error.
enum ExitCode {
    static let passed: Int32 = 0
    static let gateFailed: Int32 = 1
    static let invalidInput: Int32 = 2
    static let verdictInvalid: Int32 = 3
    static let internalError: Int32 = 4
}
