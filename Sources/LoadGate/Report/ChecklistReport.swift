import Foundation

/// Reporters for a checklist run: `checklist.json` and the terminal table. Functions, no I/O.
/// Every text passes through `Redaction.text` with the checklist's secret values.
public enum ChecklistReport {
    public static func json(_ run: ChecklistRun, libcurlVersion: String) -> String {
        let value = jsonValue(run, libcurlVersion: libcurlVersion)
        return Redaction.text(JSONWriter.serialize(value), secrets: run.checklist.secretValues)
    }

    public static func jsonValue(_ run: ChecklistRun, libcurlVersion: String) -> JSONValue {
        .object([
            ("schemaVersion", .number(1)),
            ("kind", .string("checklist")),
            ("tool", .object([("name", .string(LoadGateVersion.name)), ("version", .string(LoadGateVersion.current)), ("libcurl", .string(libcurlVersion))])),
            ("checklist", .object([("name", .string(run.checklist.name)), ("file", .string(run.file)), ("sha256", .string(run.checklist.sha256))])),
            ("attestations", run.attestationsFile.map { file in
                .object([("file", .string(file)), ("sha256", run.attestationsSHA256.map(JSONValue.string) ?? .null)]) } ?? .null),
            ("startedAt", .string(Timestamp.iso8601(run.startedAt, fractional: true))),
            ("endedAt", .string(Timestamp.iso8601(run.endedAt, fractional: true))),
            ("verdict", .string(run.passed ? "passed" : "failed")),
            ("counts", .object(ItemResult.Status.allValues.map { ($0.rawValue, .number(Double(run.count($0)))) })),
            ("items", .array(run.results.map { result in
                .object([
                    ("id", .string(result.item.id)), ("title", .string(result.item.title)), ("section", .string(result.item.section)),
                    ("severity", .string(result.item.severity.rawValue)), ("kind", .string(result.item.check.kindName)),
                    ("tags", .array(result.item.tags.map(JSONValue.string))), ("refs", .array(result.item.refs.map(JSONValue.string))),
                    ("status", .string(result.status.rawValue)), ("expected", .string(result.expected)), ("observed", .string(result.observed)),
                    ("message", .string(result.message)), ("startedAt", .string(Timestamp.iso8601(result.startedAt, fractional: true))),
                    ("duration", .number(SummaryJSON.round6(Double(result.durationNanos) / 1e9))), ("attempts", .number(Double(result.attempts))),
                ])
            })),
        ])
    }

    public static func table(_ run: ChecklistRun, resultsPath: String?) -> String {
        var out = "\(run.checklist.name): \(run.results.count) items\n\n"
        var rows: [[String]] = [["status", "severity", "section", "id", "evidence"]]
        for result in run.results {
            let evidence = result.status == .passed ? result.observed : (result.message.isEmpty ? result.observed : result.message)
            rows.append([result.status == .passed ? "pass" : result.status.rawValue.uppercased(), result.item.severity.rawValue,
                         result.item.section, result.item.id, String(evidence.prefix(110))])
        }
        out += SummaryTable.table(rows, rightAligned: [])
        out += "\n" + ItemResult.Status.allValues.map { "\($0.rawValue) \(run.count($0))" }.joined(separator: ", ") + "\n"
        out += "verdict: \(run.passed ? "PASSED" : "FAILED")\n"
        if let resultsPath { out += "results: \(resultsPath)\n" }
        return Redaction.text(out, secrets: run.checklist.secretValues)
    }
}

extension ItemResult.Status {
    static let allValues: [ItemResult.Status] = [.passed, .failed, .error, .skipped, .waived]
}
