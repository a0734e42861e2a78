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
        try load(bytes: try InputFile.read(path), file: path)
    }

    static let entryKeys = ["id", "by", "at", "evidence", "expires", "waiver", "justification"]

    public static func load(bytes: [UInt8], file: String) throws(ValidationFailure) -> Attestations {
        let document = try InputFile.parse(bytes, file: file)
        guard case let .array(items) = document else {
            throw ValidationFailure([Diagnostic(file: file, path: "", message: "expected an array of {id, by, at, evidence, expires}")])
        }
        let r = FieldReader(file: file, environment: [:])
        var result = Attestations()
        result.sha256 = SHA256.hex(bytes)
        for (index, item) in items.enumerated() {
            let at = "[\(index)]"
            guard r.object(item, at: at, expected: "an object {id, by, at, evidence, expires}") != nil else { continue }
            r.checkKeys(item, allowed: entryKeys, at: at)
            func text(_ key: String, required: Bool = true) -> String? {
                let value = r.string(item[key], at: "\(at).\(key)", required: required, nonEmpty: true)
                return value
            }
            func date(_ key: String, required: Bool) -> Double? {
                guard let raw = text(key, required: required) else { return nil }
                guard let seconds = parseDate(raw) else {
                    r.report("\(at).\(key)", "\"\(raw)\" is not an ISO 8601 date such as 2026-11-25 or 2026-11-25T10:00:00Z")
                    return nil
                }
                return seconds
            }
            let waiver = r.bool(item["waiver"], at: "\(at).waiver") ?? false
            let id = text("id"), by = text("by"), when = date("at", required: true)
            let evidence = text("evidence", required: !waiver) ?? ""
            let justification = text("justification", required: waiver) ?? ""
            let expires = date("expires", required: false)
            guard let id, let by, let when else { continue }
            result.entries.append(Entry(id: id, by: by, at: when, evidence: evidence, expires: expires,
                                        waiver: waiver, justification: justification))
        }
        guard r.isEmpty else { throw ValidationFailure(r.diagnostics) }
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
