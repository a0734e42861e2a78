/// Reading a plain request's `expect`: accepted status codes, body substrings, and JSON Pointer
/// values.
extension ScenarioLoader {
    private static let expectKeys = ["status", "bodyContains", "json"]

    func expectation(_ value: JSONValue, at path: String, _ r: FieldReader) -> Expectation {
        var expectation = Expectation()
        guard r.object(value, at: path) != nil else { return expectation }
        r.checkKeys(value, allowed: Self.expectKeys, at: path)
        if let status = value["status"] {
            if case let .array(items) = status, !items.isEmpty {
                var codes: [Int] = []
                for (index, item) in items.enumerated() {
                    if case let .success(code) = SafeNumber.integer(item, in: Limits.httpStatus) {
                        codes.append(code)
                    } else {
                        r.report("\(path).status[\(index)]", "expected an HTTP status code between \(Limits.httpStatus.lowerBound) and \(Limits.httpStatus.upperBound)")
                    }
                }
                expectation.status = codes
            } else {
                r.report(path + ".status", "expected a non-empty array of status codes such as [200]")
            }
        }
        if let contains = value["bodyContains"] {
            switch contains {
            case let .string(text): expectation.bodyContains = [text]
            case let .array(items):
                for (index, item) in items.enumerated() {
                    if let text = r.string(item, at: "\(path).bodyContains[\(index)]") { expectation.bodyContains.append(text) }
                }
            default: r.report(path + ".bodyContains", "expected a string or an array of strings")
            }
        }
        if let json = r.object(value["json"], at: path + ".json",
                               expected: "an object mapping JSON Pointers to expected values, e.g. {\"/status\": \"ok\"}") {
            for member in json.objectMembers {
                if !member.key.isEmpty && !member.key.hasPrefix("/") {
                    r.report("\(path).json", "\"\(member.key)\" is not a JSON Pointer; write \"/\(member.key)\"")
                }
                expectation.json.append((member.key, member.value))
            }
        }
        return expectation
    }
}
