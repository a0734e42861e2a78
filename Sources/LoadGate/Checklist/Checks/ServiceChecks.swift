import CCurl
import Foundation

/// `secrets`, `prometheus` and `manual` checks (`redis`: RedisCheck; `command`: CommandCheck).
enum ServiceChecks {
    static let placeholders = ["changeme", "change-me", "change_me", "replaceme", "replace_me", "replace-me", "todo", "fixme",
                               "placeholder", "password", "secret", "example", "dummy", "default", "none", "null", "test"]

    /// A short fingerprint for evidence: never the value, never enough to guess it.
    static func fingerprint(_ value: String) -> String { "sha256:" + SHA256.hex(Array(value.utf8)).prefix(12) }

    static func secret(_ spec: SecretSpec, context: CheckContext) -> CheckOutcome {
        let source = spec.env.map { "environment variable \($0)" } ?? "file \(spec.file ?? "")"
        let expected = "\(source) present, not a placeholder, at least \(spec.minLength) characters" + (spec.file != nil ? ", not readable by group or others" : "")
        var value: String
        var observed: [String] = []
        if let name = spec.env {
            guard let found = context.environment[name] else { return .fail(expected, "unset", "\(source) is not set") }
            value = found
        } else {
            let path = spec.file ?? ""
            var info = stat()
            guard stat(path, &info) == 0 else { return .fail(expected, "missing", "\(source) does not exist") }
            let mode = info.st_mode & 0o777
            observed.append("mode \(String(mode, radix: 8))")
            guard let data = FileManager.default.contents(atPath: path) else { return .fail(expected, observed.joined(separator: "; "), "\(source) cannot be read") }
            value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if mode & 0o077 != 0 {
                return .fail(expected, observed.joined(separator: "; "), "\(source) is readable by group or others (mode \(String(mode, radix: 8))); chmod 600 it")
            }
        }
        observed.append("\(value.count) characters, \(fingerprint(value))")
        if value.isEmpty { return .fail(expected, observed.joined(separator: "; "), "\(source) is empty") }
        let lowered = value.lowercased()
        let isPlaceholder = placeholders.contains(lowered) || lowered.allSatisfy({ $0 == "x" || $0 == "*" })
            || (lowered.hasPrefix("<") && lowered.hasSuffix(">")) || (lowered.hasPrefix("${") && lowered.hasSuffix("}"))
            || lowered.contains("replace_me") || lowered.contains("changeme")
        if isPlaceholder { return .fail(expected, observed.joined(separator: "; "), "\(source) holds a placeholder, not a secret") }
        if value.count < spec.minLength { return .fail(expected, observed.joined(separator: "; "), "\(source) is shorter than \(spec.minLength) characters") }
        return .pass(expected, observed.joined(separator: "; "))
    }

    static func prometheus(_ spec: PrometheusSpec, timeoutNanos: Int64) -> CheckOutcome {
        let expected = "metric families " + spec.families.map { $0.name + ($0.type.map { " (\($0))" } ?? "") + ($0.labels.isEmpty ? "" : " {\($0.labels.joined(separator: ","))}") }.joined(separator: ", ")
        var tls = TLSOptions()
        tls.caFile = spec.caFile
        tls.certFile = spec.clientCert
        tls.keyFile = spec.clientKey
        let response = BlockingHTTP.perform(method: "GET", url: spec.url, headers: spec.headers, tls: tls, timeoutMs: Int(max(1, timeoutNanos / 1_000_000)))
        guard response.result == CURLE_OK, response.status == 200 else {
            return .fail(expected, response.errorText, "cannot scrape \(Redaction.url(spec.url)): \(response.errorText)")
        }
        let exposition = PrometheusText.parse(String(decoding: response.body, as: UTF8.self))
        var observed: [String] = ["\(exposition.types.count) families"]
        var missing: [String] = []
        for family in spec.families {
            guard let type = exposition.types[family.name] ?? (exposition.samples.keys.contains(family.name) ? "untyped" : nil) else {
                missing.append("\(family.name) absent")
                continue
            }
            if let wanted = family.type, wanted != type { missing.append("\(family.name) is a \(type), not a \(wanted)") ; continue }
            let labelSets = exposition.labels(ofFamily: family.name)
            if !family.labels.isEmpty, !labelSets.contains(where: { Set(family.labels).isSubset(of: $0) }) {
                missing.append("\(family.name) lacks labels \(family.labels.joined(separator: ","))")
                continue
            }
            observed.append("\(family.name) \(type)")
        }
        if !missing.isEmpty { return .fail(expected, (observed + missing).joined(separator: "; "), missing.joined(separator: "; ")) }
        return .pass(expected, observed.joined(separator: "; "))
    }

    static func manual(id: String, description: String, context: CheckContext) -> CheckOutcome {
        let expected = "a current attestation" + (description.isEmpty ? "" : " that \(description)")
        guard let entry = context.attestations.entry(for: id), !entry.waiver else {
            return .fail(expected, "no attestation", "no one has attested this item; add {\"id\": \"\(id)\", \"by\", \"at\", \"evidence\", \"expires\"} to the attestations file")
        }
        let observed = "attested by \(entry.by) at \(Timestamp.iso8601(Date(timeIntervalSince1970: entry.at))): \(entry.evidence)"
            + (entry.expires.map { ", expires \(Timestamp.iso8601(Date(timeIntervalSince1970: $0)))" } ?? "")
        if entry.at > context.now { return .fail(expected, observed, "the attestation is dated in the future") }
        if let expires = entry.expires, expires <= context.now { return .fail(expected, observed, "the attestation expired") }
        return .pass(expected, observed)
    }
}

