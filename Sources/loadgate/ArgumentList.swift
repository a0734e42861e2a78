import LoadGate

/// A minimal, strict command-line parser: `--name value`, `--name=value`, boolean `--flag`,
/// positionals, and `--` to end options. Unknown flags are usage errors with a suggestion.
struct ArgumentList {
    private(set) var values: [String: String] = [:]
    /// Every value of each option, in order (for repeatable options such as --scenario).
    private(set) var allValues: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// - Parameters:
    ///   - valued: options that take a value (without the leading dashes).
    ///   - boolean: options that take none.
    init(_ arguments: [String], valued: [String], boolean: [String], command: String) throws(CLIError) {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            var name = String(argument.drop(while: { $0 == "-" }))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "h" { name = "help" }
            if boolean.contains(name) {
                if inlineValue != nil { throw .usage("option '--\(name)' takes no value", command: command) }
                flags.insert(name)
            } else if valued.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw .usage("option '--\(name)' needs a value", command: command) }
                    value = arguments[index]
                    index += 1
                }
                values[name] = value
                allValues[name, default: []].append(value)
            } else {
                let all = valued + boolean
                let suggestion = closestMatch(to: name, in: all).map { "; did you mean '--\($0)'?" } ?? ""
                throw .usage("unknown option '\(argument.split(separator: "=").first.map(String.init) ?? argument)'\(suggestion)", command: command)
            }
        }
    }

    /// The value of `--name` as `parse` reads it (nil when absent); text it rejects is a problem
    /// naming the flag: `"TEXT" ` followed by `complaint`.
    func parsed<Value>(_ name: String, _ parse: (String) -> Value?, complaint: String, problems: inout [Diagnostic]) -> Value? {
        guard let text = values[name] else { return nil }
        if let value = parse(text) { return value }
        problems.append(Diagnostic(file: "command line", path: "--\(name)", message: "\"\(text)\" \(complaint)"))
        return nil
    }

    /// The whole-number value of `--name` in `range` (nil when absent); a problem names the flag.
    func integer(_ name: String, in range: ClosedRange<Int>, problems: inout [Diagnostic]) -> Int? {
        guard let text = values[name] else { return nil }
        switch SafeNumber.integer(text: text, in: range) {
        case let .success(value): return value
        case let .failure(reason):
            var message = reason.message
            if case .outOfRange = reason {} else { message += "; it must be a whole number from \(range.lowerBound) to \(range.upperBound)" }
            problems.append(Diagnostic(file: "command line", path: "--\(name)", message: message))
            return nil
        }
    }

    /// The value of `--name` as a number in `range`, greater than 0 (nil when absent).
    func positiveNumber(_ name: String, in range: ClosedRange<Double>, problems: inout [Diagnostic]) -> Double? {
        guard let text = values[name] else { return nil }
        if case let .success(value) = SafeNumber.decimal(text: text, in: range), value > 0 { return value }
        problems.append(Diagnostic(file: "command line", path: "--\(name)",
                                   message: "\"\(text)\" must be a number greater than 0 and at most \(JSONWriter.format(range.upperBound))"))
        return nil
    }
}
