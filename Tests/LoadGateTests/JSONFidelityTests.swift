import Foundation
import Testing
@testable import LoadGate

/// Numbers keep their text from parser to writer, parsing stays linear, and a byte order mark is
/// not a syntax error.
@Suite("JSON fidelity")
struct JSONFidelityTests {
    @Test("a JSON number is written back byte for byte", arguments: [
        "0", "-0", "7", "-42", "100", "9007199254740993", "12345678901234567890", "-98765432109876543210",
        "1.5", "1.50", "0.1", "100.0", "2.5e-3", "1e3", "1E3", "-3e+2", "1e300", "1e400", "-1e-400",
        "0.30000000000000004", "3.141592653589793238462643383279",
    ])
    func numberRoundTrip(text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.serialize(value, pretty: false) == text)
        let nested = #"{"id":\#(text),"list":[\#(text),{"n":\#(text)}]}"#
        #expect(JSONWriter.serialize(try JSONParser.parse(nested), pretty: false, sortKeys: false) == nested)
    }

    @Test("numbers the writer reproduces stay plain Doubles, so existing matches keep working")
    func canonicalNumbersAreDoubles() throws {
        #expect(try JSONParser.parse("200") == .number(200))
        if case let .number(value) = try JSONParser.parse("2.5") { #expect(value == 2.5) } else { Issue.record("2.5 is not .number") }
        #expect(try JSONParser.parse("12345678901234567890") == .numberText("12345678901234567890"))
        #expect(try JSONParser.parse("1.50").numberValue == 1.5)
        #expect(try JSONParser.parse("1e400").numberValue == nil)
    }

    @Test("numbers compare by value, long integers by their digits")
    func numberEquality() throws {
        #expect(try JSONParser.parse("1.0") == .number(1))
        #expect(try JSONParser.parse("1e3") == JSONParser.parse("1000"))
        // Both round to the same Double, but they are different ids.
        #expect(try JSONParser.parse("12345678901234567890") != JSONParser.parse("12345678901234567891"))
        #expect(try JSONParser.parse("12345678901234567890") == JSONParser.parse("12345678901234567890"))
    }

    @Test("a 19-digit workflow id is captured as received, not as 1.2345678901234568e+18")
    func longIdCapture() throws {
        let reply = try JSONParser.parse(#"{"id": 1234567890123456789, "status": "queued"}"#)
        #expect(WorkflowFlow.text(reply["id"]!) == "1234567890123456789")
        #expect(JSONWriter.serialize(reply.resolve(pointer: "/id")!, pretty: false) == "1234567890123456789")
    }

    @Test("a scenario's JSON body is sent with its numbers as written")
    func bodyFidelity() throws {
        let scenario = try ScenarioLoader(environment: [:]).load(bytes: Array("""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"vus": 1, "duration": "1s"},
         "steps": [{"name": "a", "request": {"method": "POST", "path": "/", "json": {"id": 1234567890123456789, "price": 10.50, "big": 1e400}}}]}
        """.utf8), file: "x.json")
        #expect(scenario.steps[0].body?.staticText == #"{"id":1234567890123456789,"price":10.50,"big":1e400}"#)
    }

    @Test("duplicate keys are found in objects of any size, and 300k keys parse")
    func manyKeys() throws {
        var text = "{"
        for index in 0..<300_000 { text += "\"k\(index)\":\(index)," }
        text += "\"k299999\":0}"
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        text.removeLast("\"k299999\":0}".count)
        text.removeLast()  // the trailing comma
        text += "}"
        guard case let .object(members) = try JSONParser.parse(text) else { Issue.record("not an object"); return }
        #expect(members.count == 300_000)
    }

    @Test("a UTF-8 byte order mark at the start is skipped; elsewhere it is an error")
    func byteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8)) == .object([("a", .number(1))]))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(#"{"a": 1}"#.utf8) + [0xEF, 0xBB, 0xBF]) }
    }
}

@Suite("JSON object equality")
struct JSONObjectEqualityTests {
    @Test("objects are equal whatever their key order, small or large")
    func keyOrder() throws {
        for count in [3, 500] {
            let keys = (0..<count).map { "k\($0)" }
            let forward = JSONValue.object(keys.map { ($0, .string($0)) })
            let backward = JSONValue.object(keys.reversed().map { ($0, .string($0)) })
            #expect(forward == backward)
            var changed = keys.reversed().map { (key: $0, value: JSONValue.string($0)) }
            changed[0].value = .string("other")
            #expect(forward != .object(changed))
        }
    }
}
