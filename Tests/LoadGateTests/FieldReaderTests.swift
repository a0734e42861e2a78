import Foundation
import Testing
@testable import LoadGate

/// The one field reader: ranges, units, "did you mean", unset variables and line breaks, each
/// rule tested once here for every loader.
@Suite("Field reader")
struct FieldReaderTests {
    static func reader(_ environment: [String: String] = [:]) -> FieldReader {
        FieldReader(file: "f.json", environment: environment)
    }

    static func messages(_ r: FieldReader) -> [String] { r.diagnostics.map(\.description) }

    /// Reads the JSON `text` with `read` on a fresh reader: the value is `expected` and the only
    /// diagnostic is `message` (none when nil).
    static func expectRead<Value: Equatable>(_ text: String, expected: Value?, message: String?,
                                             _ read: (FieldReader, JSONValue) -> Value?) throws {
        let r = reader()
        #expect(read(r, try JSONParser.parse(text)) == expected)
        #expect(messages(r) == (message.map { [$0] } ?? []))
    }

    @Test("whole numbers are range-checked before conversion", arguments: [
        ("5", 1...10, Optional(5), nil),
        ("1e300", 1...1_000_000, nil, "f.json: n: 1e300 is out of range; it must be between 1 and 1000000"),
        ("1e19", 1...65_535, nil, "f.json: n: 1e19 is out of range; it must be between 1 and 65535"),
        ("12345678901234567890", 1...65_535, nil, "f.json: n: 12345678901234567890 is out of range; it must be between 1 and 65535"),
        ("1e400", 1...65_535, nil, "f.json: n: 1e400 is out of range; it must be between 1 and 65535"),
        ("2.5", 1...10, nil, "f.json: n: 2.5 is not a whole number"),
        ("1e1", 1...10, Optional(10), nil),
        ("0", 1...10, nil, "f.json: n: 0 is out of range; it must be between 1 and 10"),
        ("\"5\"", 1...10, nil, "f.json: n: expected a whole number, found a string"),
    ] as [(String, ClosedRange<Int>, Int?, String?)])
    func integers(text: String, range: ClosedRange<Int>, expected: Int?, message: String?) throws {
        try Self.expectRead(text, expected: expected, message: message) { $0.integer($1, at: "n", in: range) }
    }

    @Test("numbers are range-checked", arguments: [
        ("100", Optional(100.0), nil),
        ("1e300", nil, "f.json: rate: 1e300 is out of range; it must be between 0 and 10000000"),
        ("-1", nil, "f.json: rate: -1 is out of range; it must be between 0 and 10000000"),
        ("true", nil, "f.json: rate: expected a number, found a boolean"),
    ] as [(String, Double?, String?)])
    func numbers(text: String, expected: Double?, message: String?) throws {
        try Self.expectRead(text, expected: expected, message: message) { $0.number($1, at: "rate", in: Limits.ratePerSecond) }
    }

    @Test("durations need a unit and a range", arguments: [
        ("\"1m30s\"", Optional(Int64(90_000_000_000)), nil),
        ("30", nil, "f.json: d: 30 has no unit; write \"30s\" or \"30ms\""),
        ("\"30\"", nil, "f.json: d: \"30\" has no unit; write \"30s\" or \"30ms\""),
        ("\"soon\"", nil, "f.json: d: \"soon\" is not a duration; use e.g. \"500ms\", \"30s\", \"1m30s\""),
        ("\"0s\"", nil, "f.json: d: must be greater than 0"),
        ("\"25h\"", nil, "f.json: d: \"25h\" is out of range; it must be between 1ns and 1440m00s"),
        ("\"1e300s\"", nil, "f.json: d: \"1e300s\" is not a duration; use e.g. \"500ms\", \"30s\", \"1m30s\""),
    ] as [(String, Int64?, String?)])
    func durations(text: String, expected: Int64?, message: String?) throws {
        try Self.expectRead(text, expected: expected, message: message) { $0.duration($1, at: "d") }
    }

    @Test("percentages need a % and a range", arguments: [
        ("\"5%\"", Optional(5.0), nil),
        ("5", nil, "f.json: p: 5 has no unit; write \"5%\""),
        ("\"150%\"", nil, "f.json: p: \"150%\" is out of range; it must be between 0% and 100%"),
        ("\"five\"", nil, "f.json: p: expected a percentage string such as \"5%\""),
    ] as [(String, Double?, String?)])
    func percents(text: String, expected: Double?, message: String?) throws {
        try Self.expectRead(text, expected: expected, message: message) { $0.percent($1, at: "p") }
    }

    @Test("an unknown key gets a suggestion, and the key it stood for is not also reported missing")
    func didYouMean() throws {
        let r = Self.reader()
        let value = try JSONParser.parse(#"{"nmae": "x", "zzz": 1}"#)
        r.checkKeys(value, allowed: ["name", "kind"], at: "item")
        _ = r.string(value["name"], at: "item.name", required: true)
        _ = r.string(value["kind"], at: "item.kind", required: true)
        #expect(Self.messages(r) == [
            "f.json: item.nmae: unknown key; did you mean 'name'?",
            "f.json: item.zzz: unknown key; allowed: name, kind",
            "f.json: item.kind: missing",
        ])
    }

    @Test("every unset variable of a field is reported, not only the first")
    func everyUnsetVariable() {
        let r = Self.reader(["SET": "x"])
        #expect(r.template("${env.A}-${env.SET}-${env.B}", at: "h") == nil)
        #expect(Self.messages(r) == [
            "f.json: h: environment variable A is not set (referenced as ${env.A}); export it or remove the reference",
            "f.json: h: environment variable B is not set (referenced as ${env.B}); export it or remove the reference",
        ])
    }

    @Test("a line break in text bound for the wire is refused, also when it comes from the environment")
    func lineBreaks() {
        let r = Self.reader(["EVIL": "a\r\nX-Injected: 1"])
        #expect(r.template("/ok\r\nHost: x", at: "path", wire: true) == nil)
        #expect(r.template("Bearer ${env.EVIL}", at: "header", wire: true) == nil)
        #expect(r.template("line one\nline two", at: "body") != nil, "a body may hold line breaks")
        #expect(Self.messages(r) == [
            "f.json: path: must not contain a line break (CR or LF): it would end the request line or header",
            "f.json: header: must not contain a line break (CR or LF): it would end the request line or header",
        ])
    }
}
