/// Text from peers (a Redis error, a response snippet, a URL from an agent card) or from input
/// files (names) can hold escape sequences that would rewrite the user's terminal (move the cursor,
/// retitle the window, hide lines) or forge log lines. Everything printed passes through `escape`,
/// which makes control characters visible instead of executing them.
public enum TerminalText {
    /// C0 controls, DEL and C1 controls become `\xNN` / `\u{NNNN}`; with `keepLayout`, newline and
    /// tab stay (text the program itself laid out in lines). CR is always escaped: it would let a
    /// value overwrite the start of its line.
    public static func escape(_ text: String, keepLayout: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepLayout: keepLayout) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepLayout: keepLayout) {
                if scalar.value < 0x100 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar, keepLayout: Bool) -> Bool {
        let value = scalar.value
        if keepLayout, value == 0x0A || value == 0x09 { return false }
        // C0, DEL, C1, and the bidirectional overrides that reorder what the eye reads.
        return value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
