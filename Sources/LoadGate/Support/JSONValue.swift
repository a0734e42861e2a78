/// A JSON document as a value. LoadGate parses scenario files itself (rather than through
/// JSONSerialization) so that every validation error can name its file, line and JSON path,
/// object keys keep their file order, and reports can be written canonically.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number built by code, or parsed from text that `JSONWriter.format` reproduces exactly.
    case number(Double)
    /// A parsed number whose text `.number` would not reproduce byte for byte (`12345678901234567890`,
    /// `1.50`, `1e3`): kept verbatim (valid JSON number syntax), so bodies, captures and ids are sent
    /// exactly as written or received. Read it with `numberValue`; `JSONWriter` writes the text.
    case numberText(String)
    case string(String)
    case array([JSONValue])
    /// Keys in document order. Duplicate keys are rejected by the parser.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case (.number, .number), (.number, .numberText), (.numberText, .number), (.numberText, .numberText):
            return Self.numbersEqual(lhs, rhs)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            // Object equality ignores key order, as JSON does; linear in the number of keys.
            guard a.count == b.count else { return false }
            if a.count <= 8 {
                return a.allSatisfy { member in b.contains { $0.key == member.key && $0.value == member.value } }
            }
            var others: [String: JSONValue] = [:]
            others.reserveCapacity(b.count)
            for member in b { others[member.key] = member.value }
            for (key, value) in a {
                guard let other = others[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }

    /// The value of either number case as a finite Double (a long `numberText` is rounded to the
    /// nearest Double; one beyond Double's range, such as `1e400`, gives nil).
    public var numberValue: Double? {
        switch self {
        case let .number(number): return number
        case let .numberText(text): return Double(text).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// The JSON text of either number case: the source text, or the canonical format.
    public var numberJSONText: String? {
        switch self {
        case let .number(number): return JSONWriter.format(number)
        case let .numberText(text): return text
        default: return nil
        }
    }

    /// Numbers are equal by value; two integers written without fraction or exponent compare by
    /// their digits, so ids beyond 2^53 that differ in the last digit are not equal.
    private static func numbersEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if lhs.numberJSONText == rhs.numberJSONText { return true }
        if let a = lhs.integerDigits, let b = rhs.integerDigits { return a == b }
        guard let a = lhs.numberValue, let b = rhs.numberValue else { return false }
        return a == b
    }

    /// Canonical digits of an integer-syntax number ("-0" is "0"); nil for fractions and exponents.
    private var integerDigits: String? {
        guard let text = numberJSONText, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return text == "-0" ? "0" : text
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members.first(where: { $0.key == key })?.value }
        return nil
    }

    /// A short name of the value's kind, for error messages ("expected a string, found a number").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number, .numberText: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Resolves an RFC 6901 JSON Pointer ("/a/0/b"); nil when any token does not resolve.
    public func resolve(pointer: String) -> JSONValue? {
        if pointer.isEmpty { return self }
        guard pointer.hasPrefix("/") else { return nil }
        var current = self
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case let .object(members):
                guard let next = members.first(where: { $0.key == token })?.value else { return nil }
                current = next
            case let .array(items):
                guard let index = Int(token), index >= 0, index < items.count, String(index) == token else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
