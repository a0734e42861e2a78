import Foundation

/// Removes credentials before anything reaches a terminal or a file. The one home of the rule:
/// the commands register every secret value once (`register`), and every file write
/// (`AtomicFile.write`) and every terminal write passes through `apply`, which masks each secret in
/// every encoding it can take in an output: raw, JSON-escaped, HTML/XML-escaped, URL-encoded
/// (and HTML-escaped JSON). URL user-info is masked as well.
///
/// Masking must not corrupt other text: a secret shorter than `anywhereLength` characters is masked
/// only where it stands alone (not inside a longer run of letters and digits), so the secret
/// `secret` leaves the id `kms-secrets` intact; secrets shorter than `minimumLength`, and short
/// runs of digits (a port), cannot be masked safely at all (`isMaskable`) and are reported by
/// `unsafeSecrets` so the command can warn where the value sits in a credential position.
public enum Redaction {
    public static let mask = "[REDACTED]"
    /// Shorter secrets are not masked (masking "1" everywhere would destroy the text).
    public static let minimumLength = 4
    /// Secrets at least this long are masked wherever they appear, even inside other words.
    public static let anywhereLength = 12

    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [String] = []
    nonisolated(unsafe) private static var forms: [(text: String, anywhere: Bool)] = []

    /// Adds secret values for the rest of the process (idempotent).
    public static func register(_ secrets: [String]) {
        lock.withLock {
            let new = secrets.filter { !$0.isEmpty && !registered.contains($0) }
            guard !new.isEmpty else { return }
            registered += new
            forms = encodedForms(of: registered)
        }
    }

    /// The registered secrets too short to mask (the command warns about each, by its source).
    public static func unsafeSecrets(_ secrets: [String]) -> [String] {
        secrets.filter { !$0.isEmpty && !isMaskable($0) }
    }

    /// A secret can be masked without corrupting other text: at least `minimumLength` characters,
    /// and not a short run of digits only. A value such as a port from `${env.PORT}` ("8080")
    /// stands alone wherever a count, a byte total or a latency equals it: masking it rewrote
    /// those numbers in summary.json and report.json (a run of 18080 requests against port 18080
    /// reported its requests as "[REDACTED]" and `compare` then saw no samples). Digits-only
    /// values of `anywhereLength` or more are masked.
    public static func isMaskable(_ secret: String) -> Bool {
        guard secret.count >= minimumLength else { return false }
        return secret.count >= anywhereLength || !secret.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `text` with every registered secret masked in every encoding, and URL user-info masked.
    public static func apply(_ text: String) -> String {
        let current = lock.withLock { forms }
        return mask(url(text), forms: current)
    }

    /// For callers holding their own list (tests, renderers called outside a command).
    public static func text(_ text: String, secrets: [String]) -> String {
        register(secrets)
        return mask(url(text), forms: encodedForms(of: secrets) + lock.withLock { forms })
    }

    /// Each secret in each encoding, longest first (so a longer form is masked before a shorter
    /// one it contains).
    static func encodedForms(of secrets: [String]) -> [(text: String, anywhere: Bool)] {
        var seen = Set<String>()
        var out: [(text: String, anywhere: Bool)] = []
        for secret in secrets where isMaskable(secret) {
            var json = ""
            JSONWriter.writeString(secret, into: &json)
            json = String(json.dropFirst().dropLast())
            let markup = Markup.escape(secret)
            let variants = [secret, json, markup, Markup.escape(json),
                            markup.replacingOccurrences(of: "&#39;", with: "&#x27;"),
                            markup.replacingOccurrences(of: "&#39;", with: "&apos;"),
                            markup.replacingOccurrences(of: "&quot;", with: "&#34;"),
                            percentEncoded(secret, upper: true), percentEncoded(secret, upper: false),
                            percentEncoded(secret, upper: true).replacingOccurrences(of: "%20", with: "+")]
                + [CharacterSet.urlQueryAllowed, .urlPathAllowed, .urlUserAllowed, .urlPasswordAllowed, .urlHostAllowed, .urlFragmentAllowed]
                    .compactMap { secret.addingPercentEncoding(withAllowedCharacters: $0) }
            for variant in variants where !variant.isEmpty && seen.insert(variant).inserted {
                out.append((variant, secret.count >= anywhereLength))
            }
        }
        return out.sorted { $0.text.count > $1.text.count }
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters.
    static func percentEncoded(_ text: String, upper: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: upper)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Masks every form in `text`. A JSON document (summary.json, report.json, a `--json` print)
    /// is masked inside its string literals only, and a bare value holding a secret (a number
    /// equal to a numeric secret such as a port from `${env.X}`) becomes the string "[REDACTED]":
    /// a mask written over a bare number would leave the file unparseable.
    static func mask(_ text: String, forms: [(text: String, anywhere: Bool)]) -> String {
        guard forms.contains(where: { text.contains($0.text) }) else { return text }
        return maskJSON(text, forms: forms) ?? maskPlain(text, forms: forms)
    }

    static func maskPlain(_ text: String, forms: [(text: String, anywhere: Bool)]) -> String {
        var out = text
        for form in forms where out.contains(form.text) {
            out = form.anywhere ? out.replacingOccurrences(of: form.text, with: mask) : replaceStandalone(form.text, in: out)
        }
        return out
    }

    /// `text` masked as JSON, or nil when it is not a JSON document (it is not enclosed in `{}` or
    /// `[]`, or a string literal is left open). String literals are masked as text (their escaped
    /// forms are among `forms`); between them, each bare token (a number, `true`, ...) that holds
    /// a secret is replaced whole by `"[REDACTED]"`, so the document stays valid JSON.
    static func maskJSON(_ text: String, forms: [(text: String, anywhere: Bool)]) -> String? {
        let bytes = Array(text.utf8)
        guard let first = bytes.firstIndex(where: { !Self.isJSONSpace($0) }), let last = bytes.lastIndex(where: { !Self.isJSONSpace($0) }),
              (bytes[first] == UInt8(ascii: "{") && bytes[last] == UInt8(ascii: "}"))
                || (bytes[first] == UInt8(ascii: "[") && bytes[last] == UInt8(ascii: "]"))
        else { return nil }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var index = 0
        var bareStart = 0
        func flushBare(until end: Int) {
            guard bareStart < end else { return }
            var tokenStart = bareStart
            for position in bareStart...end {
                let boundary = position == end || Self.isJSONSpace(bytes[position]) || Self.isJSONStructural(bytes[position])
                guard boundary else { continue }
                if tokenStart < position {
                    let token = String(decoding: bytes[tokenStart..<position], as: UTF8.self)
                    out += maskPlain(token, forms: forms) == token ? token : "\"" + mask + "\""
                }
                if position < end { out += String(decoding: bytes[position...position], as: UTF8.self) }
                tokenStart = position + 1
            }
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else { index += 1; continue }
            flushBare(until: index)
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard end < bytes.count else { return nil }  // an open string literal: not JSON
            out += "\"" + maskPlain(String(decoding: bytes[(index + 1)..<end], as: UTF8.self), forms: forms) + "\""
            index = end + 1
            bareStart = index
        }
        flushBare(until: bytes.count)
        return out
    }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    private static func isJSONStructural(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
            || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":")
    }

    /// Replaces occurrences of `needle` not preceded or followed by a letter or digit.
    static func replaceStandalone(_ needle: String, in text: String) -> String {
        var out = ""
        var rest = text[...]
        while let range = rest.range(of: needle) {
            let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : (out.last ?? " ")
            let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : " "
            let boundaryBefore = !(before.isLetter || before.isNumber) || !(needle.first?.isLetter ?? false || needle.first?.isNumber ?? false)
            let boundaryAfter = !(after.isLetter || after.isNumber) || !(needle.last?.isLetter ?? false || needle.last?.isNumber ?? false)
            out += rest[..<range.lowerBound]
            if boundaryBefore && boundaryAfter {
                out += mask
            } else {
                out += rest[range]
            }
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    /// `https://user:pass@host/x` -> `https://[REDACTED]@host/x`, wherever such a URL appears.
    public static func url(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var out = ""
        var rest = text[...]
        while let schemeEnd = rest.range(of: "://") {
            out += rest[..<schemeEnd.upperBound]
            let afterScheme = rest[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == "'" })
                ?? afterScheme.endIndex
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@") {
                out += mask
                rest = afterScheme[at...]
            } else {
                rest = afterScheme
            }
        }
        return out + rest
    }

    /// The user-info part of a URL (`user:pass`), which is a credential.
    public static func userInfo(of text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@") else { return nil }
        return String(afterScheme[..<at])
    }

    /// Values of every `${env.NAME}` referenced anywhere in the files (target, paths, URLs,
    /// endpoints, headers, bodies, checklist parameters): each is a secret for output purposes.
    public static func environmentReferences(inFiles paths: [String], environment: [String: String]) -> [(name: String, value: String)] {
        var values: [(name: String, value: String)] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            var rest = text[...]
            while let start = rest.range(of: "${env.") {
                guard let close = rest[start.upperBound...].firstIndex(of: "}") else { break }
                let name = String(rest[start.upperBound..<close])
                if let value = environment[name], !value.isEmpty, !values.contains(where: { $0.name == name }) { values.append((name, value)) }
                rest = rest[close...]
            }
        }
        return values
    }
}
