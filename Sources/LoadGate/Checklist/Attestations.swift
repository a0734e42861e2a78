import Foundation

/// Signed-off evidence for items no program can check (`manual`), and waivers: an attestations
/// file is a JSON array of `{id, by, at, evidence, expires}`, or with `"waiver": true` and a
/// `justification`, a time-limited exception (InSpec's waivers). Dates are ISO 8601 (UTC).
public struct Attestations: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var by: String
        public var at: Double
        public var evidence: String
        public var expires: Double?
        public var waiver: Bool
        public var justification: String
    }

    public var entries: [Entry] = []
    public var sha256: String?

    public init() {}

    public func entry(for id: String) -> Entry? { entries.last { $0.id == id } }

    public static func load(path: String) throws(ValidationFailure) -> Attestations {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure([Diagnostic(file: path, path: "", message: "no such file")])
        }
        let document: JSONValue
        do { document = try JSONParser.parse(Array(data)) } catch {
            throw ValidationFailure([Diagnostic(file: path, path: "", message: "line \(error.line), column \(error.column): \(error.message)")])
        }
        guard case let .array(items) = document else {
            throw ValidationFailure([Diagnostic(file: path, path: "", message: "expected an array of {id, by, at, evidence, expires}")])
        }
        var sink = DiagnosticSink(file: path)
        var result = Attestations()
        result.sha256 = SHA256.hex(Array(data))
        for (index, item) in items.enumerated() {
            let at = "[\(index)]"
            func text(_ key: String, required: Bool = true) -> String? {
                if case let .string(value)? = item[key], !value.isEmpty { return value }
                if required { sink.report("\(at).\(key)", "missing") }
                return nil
            }
            func date(_ key: String, required: Bool) -> Double? {
                guard let raw = text(key, required: required) else { return nil }
                guard let seconds = parseDate(raw) else {
                    sink.report("\(at).\(key)", "\"\(raw)\" is not an ISO 8601 date such as 2026-11-25 or 2026-11-25T10:00:00Z")
                    return nil
                }
                return seconds
            }
            let waiver = item["waiver"] == .bool(true)
            guard let id = text("id"), let by = text("by"), let when = date("at", required: true) else { continue }
            let evidence = text("evidence", required: !waiver) ?? ""
            let justification = text("justification", required: waiver) ?? ""
            result.entries.append(Entry(id: id, by: by, at: when, evidence: evidence, expires: date("expires", required: false),
                                        waiver: waiver, justification: justification))
        }
        guard sink.isEmpty else { throw ValidationFailure(sink.diagnostics) }
        return result
    }

    static func parseDate(_ text: String) -> Double? {
        let formats = ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX", "yyyy-MM-dd"]
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
    }
}
