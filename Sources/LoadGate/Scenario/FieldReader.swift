/// The one way every loader (scenario, protocol steps, checklist, attestations) reads a typed field
/// from a JSON document: the value, its JSON path, its range and unit, the allowed keys with "did
/// you mean", and `${env.X}` resolution. Problems are collected as located diagnostics (all of a
/// file's unset variables in one run), and a missing key that a misspelled key stood for is not
/// reported twice. A reference type so that the loaders' helpers share one reader per file.
final class FieldReader {
    /// What an unset `${env.X}` means: an error (run, gate, check), or text kept as written and
    /// listed (validate, which lints files without the runtime environment).
    enum UnsetPolicy { case error, keepAsText }

    let file: String
    let environment: [String: String]
    let unsetPolicy: UnsetPolicy
    private(set) var diagnostics: [Diagnostic] = []
    /// Values substituted for `${env.X}`; reporters redact them.
    private(set) var secrets: [String] = []
    /// Variables referenced but unset (kept as text under `.keepAsText`).
    private(set) var unsetNames: Set<String> = []
    /// Paths of keys that a misspelled key was taken for ("stpes" -> "steps").
    private var suggestedPaths: Set<String> = []

    init(file: String, environment: [String: String], unsetPolicy: UnsetPolicy = .error) {
        self.file = file
        self.environment = environment
        self.unsetPolicy = unsetPolicy
    }

    var isEmpty: Bool { diagnostics.isEmpty }
    var problemCount: Int { diagnostics.count }

    func report(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(file: file, path: path, message: message))
    }

    /// Adopts a diagnostic made elsewhere (a flag's, located in "command line").
    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// A problem of a command-line flag (`--rate`), located in "command line".
    func reportFlag(_ flag: String, _ message: String) {
        diagnostics.append(Diagnostic(file: "command line", path: flag, message: message))
    }

    func addSecrets(_ values: [String]) { secrets += values }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: - Structure

    /// Reports keys not in `allowed`, with a suggestion; `noun` is "key" or "parameter".
    func checkKeys(_ value: JSONValue, allowed: [String], at path: String, noun: String = "key") {
        guard case let .object(members) = value else { return }
        for member in members where !allowed.contains(member.key) {
            let keyPath = Self.join(path, member.key)
            if let suggestion = closestMatch(to: member.key, in: allowed) {
                if value[suggestion] == nil { suggestedPaths.insert(Self.join(path, suggestion)) }
                report(keyPath, "unknown \(noun); did you mean '\(suggestion)'?")
            } else {
                report(keyPath, "unknown \(noun); allowed: \(allowed.joined(separator: ", "))")
            }
        }
    }

    /// Reports a missing required field, unless a misspelled key was already reported for it.
    func missing(_ path: String, _ message: String = "missing") {
        guard !suggestedPaths.contains(path) else { return }
        report(path, message)
    }

    /// The value when it is an object; otherwise reported (`expected` says what to write).
    func object(_ value: JSONValue?, at path: String, expected: String = "an object") -> JSONValue? {
        guard let value else { return nil }
        if case .object = value { return value }
        report(path, "expected \(expected), found \(value.kindName)")
        return nil
    }

    /// The items when the value is an array; otherwise reported.
    func array(_ value: JSONValue?, at path: String, expected: String = "an array") -> [JSONValue]? {
        guard let value else { return nil }
        if case let .array(items) = value { return items }
        report(path, "expected \(expected), found \(value.kindName)")
        return nil
    }

    // MARK: - Scalars

    func string(_ value: JSONValue?, at path: String, required: Bool = false, nonEmpty: Bool = false,
                expected: String = "a string") -> String? {
        guard let value else {
            if required { missing(path) }
            return nil
        }
        guard case let .string(text) = value, !(nonEmpty && text.isEmpty) else {
            report(path, "expected \(nonEmpty ? "a non-empty string" : expected), found \(value.kindName)")
            return nil
        }
        return text
    }

    func bool(_ value: JSONValue?, at path: String) -> Bool? {
        guard let value else { return nil }
        if case let .bool(flag) = value { return flag }
        report(path, "expected true or false")
        return nil
    }

    /// One of `choices` (case-sensitive), with a suggestion otherwise.
    func choice(_ value: JSONValue?, at path: String, from choices: [String], message: String? = nil) -> String? {
        guard let value else { return nil }
        if case let .string(text) = value, choices.contains(text) { return text }
        var hint = ""
        if case let .string(text) = value, let match = closestMatch(to: text, in: choices) { hint = "; did you mean '\(match)'?" }
        report(path, (message ?? "expected one of \(choices.joined(separator: ", "))") + hint)
        return nil
    }

    /// A whole number within `range` (`Limits` holds the shared ones).
    func integer(_ value: JSONValue?, at path: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        converted(value, at: path, required: required, expected: "a whole number") { SafeNumber.integer($0, in: range) }
    }

    /// A number within `range`.
    func number(_ value: JSONValue?, at path: String, in range: ClosedRange<Double>, required: Bool = false) -> Double? {
        converted(value, at: path, required: required, expected: "a number") { SafeNumber.decimal($0, in: range) }
    }

    /// A JSON number through one of `SafeNumber`'s conversions; other kinds are reported.
    private func converted<Number>(_ value: JSONValue?, at path: String, required: Bool, expected: String,
                                   _ convert: (JSONValue) -> Result<Number, SafeNumber.Problem>) -> Number? {
        guard let value else {
            if required { missing(path) }
            return nil
        }
        guard value.numberJSONText != nil else {
            report(path, "expected \(expected), found \(value.kindName)")
            return nil
        }
        switch convert(value) {
        case let .success(number): return number
        case let .failure(problem):
            report(path, problem.message)
            return nil
        }
    }

    /// A duration string with a unit ("500ms", "30s", "1m30s") within `range`, in nanoseconds.
    func duration(_ value: JSONValue?, at path: String, in range: ClosedRange<Int64> = Limits.timeoutNanos,
                  required: Bool = false) -> Int64? {
        guard let value else {
            if required { missing(path) }
            return nil
        }
        guard case let .string(text) = value else {
            if let number = value.numberJSONText {
                report(path, "\(number) has no unit; write \"\(number)s\" or \"\(number)ms\"")
            } else {
                report(path, "expected a duration string such as \"30s\", found \(value.kindName)")
            }
            return nil
        }
        return Self.durationNanos(text, in: range, report: { self.report(path, $0) })
    }

    /// The duration rule, shared with command-line flags (`report` gets the message).
    static func durationNanos(_ text: String, in range: ClosedRange<Int64>, report: (String) -> Void) -> Int64? {
        guard let nanos = DurationText.parseNanos(text) else {
            if Double(text) != nil {
                report("\"\(text)\" has no unit; write \"\(text)s\" or \"\(text)ms\"")
            } else {
                report("\"\(text)\" is not a duration; use e.g. \"500ms\", \"30s\", \"1m30s\"")
            }
            return nil
        }
        guard range.contains(nanos) else {
            if nanos < range.lowerBound, range.lowerBound <= 1 {
                report("must be greater than 0")
            } else {
                report("\"\(text)\" is out of range; it must be between \(DurationText.format(nanos: range.lowerBound)) and \(DurationText.format(nanos: range.upperBound))")
            }
            return nil
        }
        return nanos
    }

    /// A percentage string such as "5%" within `range`.
    func percent(_ value: JSONValue?, at path: String, in range: ClosedRange<Double> = Limits.percent) -> Double? {
        guard let value else { return nil }
        if let number = value.numberJSONText {
            report(path, "\(number) has no unit; write \"\(number)%\"")
            return nil
        }
        guard case let .string(text) = value, text.hasSuffix("%"), let number = Double(text.dropLast()) else {
            report(path, "expected a percentage string such as \"5%\"")
            return nil
        }
        guard number.isFinite, range.contains(number) else {
            report(path, "\"\(text)\" is out of range; it must be between \(JSONWriter.format(range.lowerBound))% and \(JSONWriter.format(range.upperBound))%")
            return nil
        }
        return number
    }

    /// An array of strings (non-empty unless `allowEmpty`).
    func strings(_ value: JSONValue?, at path: String, allowEmpty: Bool = false) -> [String]? {
        guard let value else { return nil }
        if case let .array(items) = value {
            let texts = items.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
            if texts.count == items.count, allowEmpty || !texts.isEmpty { return texts }
        }
        report(path, allowEmpty ? "expected an array of strings" : "expected a non-empty array of strings")
        return nil
    }

    // MARK: - Templates and the environment

    /// Compiles `text`, reporting every unset `${env.X}` in it (not only the first). `wire` marks
    /// text that goes into a request line or header: a CR or LF in it would inject a line.
    /// `secret`: the environment values it uses are secrets (headers, bodies); addresses are not.
    func template(_ text: String, at path: String, wire: Bool = false, secret: Bool = true,
                  escape: @escaping (String) -> String = { $0 }) -> Template? {
        var unset: [String] = []
        let lookup: (String) -> String? = { [environment, unsetPolicy] name in
            if let value = environment[name] { return value }
            unset.append(name)
            return unsetPolicy == .keepAsText ? "${env.\(name)}" : ""
        }
        switch Template.compile(text, environment: lookup, escape: escape) {
        case let .success(template):
            if !unset.isEmpty {
                unsetNames.formUnion(unset)
                if unsetPolicy == .error {
                    for name in unset { report(path, Template.CompileError.unsetEnvironment(name).message) }
                    return nil
                }
            }
            if wire, template.segments.contains(where: { if case let .literal(l) = $0 { return Self.hasLineBreak(l) } else { return false } }) {
                report(path, "must not contain a line break (CR or LF): it would end the request line or header")
                return nil
            }
            if secret { secrets += template.environmentValues }
            return template
        case let .failure(error):
            report(path, error.message)
            return nil
        }
    }

    /// A string field whose only variables are `${env.X}`, resolved to its text (checklists).
    func resolvedString(_ value: JSONValue?, at path: String, required: Bool = false, wire: Bool = false,
                        secret: Bool = false) -> String? {
        guard let text = string(value, at: path, required: required) else { return nil }
        // Hosts, ports and paths from the environment are configuration, not secrets.
        guard let template = template(text, at: path, wire: wire, secret: secret) else { return nil }
        guard template.isStatic else {
            report(path, "only ${env.NAME} can be used here")
            return nil
        }
        return template.staticText
    }

    /// An HTTP header name as RFC 9110 allows it: one or more token bytes (letters, digits and
    /// ``!#$%&'*+-.^_`|~``). Checked on bytes: Swift reads "\r\n", or a colon followed by a
    /// combining mark, as one Character, so a Character test let `X-A\r\nX-Injected` through.
    static func isHeaderName(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
            default: return false
            }
        }
    }

    static func hasLineBreak(_ text: String) -> Bool {
        text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
    }
}

extension JSONValue {
    var objectMembers: [(key: String, value: JSONValue)] {
        if case let .object(members) = self { return members }
        return []
    }
}
