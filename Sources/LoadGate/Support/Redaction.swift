import Foundation

/// Removes credentials before anything reaches a terminal or a file: URL user-info, and any
/// known secret value (environment values used by templates) wherever it appears.
public enum Redaction {
    public static let mask = "[REDACTED]"

    /// `https://user:pass@host/x` -> `https://[REDACTED]@host/x`.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + mask + String(text[at...])
    }

    /// The user-info part of a URL (`user:pass`), which is a credential.
    public static func userInfo(of text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@") else { return nil }
        return String(afterScheme[..<at])
    }

    /// Replaces every occurrence of each secret (longest first) with the mask. Secrets shorter
    /// than 4 characters are ignored: masking "1" everywhere would destroy the text, not protect it.
    public static func text(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets.filter({ $0.count >= 4 }).sorted(by: { $0.count > $1.count }) {
            out = out.replacingOccurrences(of: secret, with: mask)
        }
        return out
    }
}
