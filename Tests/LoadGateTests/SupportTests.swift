import Foundation
import Testing
@testable import LoadGate

@Suite("JSON, durations and digests")
struct SupportTests {
    @Test("a syntax error names its line and column")
    func syntaxErrorLocated() {
        #expect(throws: JSONSyntaxError(line: 3, column: 13, message: "expected ',' or '}' in object")) {
            try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": true \"c\": 2\n}")
        }
        #expect(throws: JSONSyntaxError(line: 1, column: 10, message: "duplicate key \"a\"")) {
            try JSONParser.parse("{\"a\": 1, \"a\": 2}")
        }
    }

    @Test("parsing and canonical writing round-trip, keys sorted, numbers as written")
    func roundTrip() throws {
        let text = #"{"b": [1, 2.5, -3e2, true, null], "a": {"é": "x\"y\n\u0001"}}"#
        let value = try JSONParser.parse(text)
        let written = JSONWriter.serialize(value, pretty: false)
        #expect(written == #"{"a":{"é":"x\"y\n\u0001"},"b":[1,2.5,-3e2,true,null]}"#)
        #expect(try JSONParser.parse(written) == value)
    }

    @Test("JSON Pointer resolves objects, arrays and escapes")
    func pointer() throws {
        let value = try JSONParser.parse(#"{"a/b": {"c~d": [10, {"e": "f"}]}}"#)
        #expect(value.resolve(pointer: "/a~1b/c~0d/1/e") == .string("f"))
        #expect(value.resolve(pointer: "/a~1b/c~0d/2") == nil)
        #expect(value.resolve(pointer: "") == value)
    }

    @Test("durations parse with units and refuse bare numbers", arguments: [
        ("250ms", Int64(250_000_000)), ("1.5s", 1_500_000_000), ("1m30s", 90_000_000_000), ("2h", 7_200_000_000_000),
        ("100us", 100_000), ("10µs", 10_000),
    ])
    func durations(text: String, nanos: Int64) {
        #expect(DurationText.parseNanos(text) == nanos)
    }

    @Test("a duration without a unit is not a duration")
    func durationWithoutUnit() {
        #expect(DurationText.parseNanos("250") == nil)
        #expect(DurationText.parseNanos("fast") == nil)
        #expect(DurationText.parseNanos("") == nil)
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("redaction removes URL user-info and known secret values")
    func redaction() {
        #expect(Redaction.url("https://user:pa55@host:8080/x?y=1") == "https://[REDACTED]@host:8080/x?y=1")
        #expect(Redaction.url("http://host/a@b") == "http://host/a@b")
        #expect(Redaction.text("Bearer tok-123456 and tok-123456", secrets: ["tok-123456"]) == "Bearer [REDACTED] and [REDACTED]")
    }
}
