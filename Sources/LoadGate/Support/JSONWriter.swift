/// Serializes `JSONValue`s. Canonical mode sorts object keys by their UTF-8 bytes and uses a fixed
/// number format, so the same value always yields the same bytes (stable digests for reports).
public enum JSONWriter {
    public static func serialize(_ value: JSONValue, pretty: Bool = true, sortKeys: Bool = true) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil, sortKeys: sortKeys)
        if pretty { out += "\n" }
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?, sortKeys: Bool) {
        switch value {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .number(number): out += format(number)
        case let .numberText(text): out += text
        case let .string(string): writeString(string, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (position, item) in items.enumerated() {
                if position > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                write(item, into: &out, indent: indent.map { $0 + 1 }, sortKeys: sortKeys)
            }
            newline(&out, indent)
            out += "]"
        case let .object(members):
            if members.isEmpty { out += "{}"; return }
            let ordered = sortKeys ? members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } : members
            out += "{"
            for (position, member) in ordered.enumerated() {
                if position > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                writeString(member.key, into: &out)
                out += indent == nil ? ":" : ": "
                write(member.value, into: &out, indent: indent.map { $0 + 1 }, sortKeys: sortKeys)
            }
            newline(&out, indent)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Integers print without a fraction; other numbers with up to 9 significant fractional digits.
    public static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 9.007_199_254_740_992e15 {
            return String(Int64(number))
        }
        var text = String(number)
        if text.contains("e") { return text }
        // Trim representation noise such as 0.30000000000000004 to a stable 12 significant digits.
        let magnitude = abs(number)
        let decimals = max(0, 12 - Int((magnitude < 1 ? 0 : log10Floor(magnitude)) + 1))
        text = formatFixed(number, decimals: decimals)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func log10Floor(_ value: Double) -> Int {
        var exponent = 0
        var scaled = value
        while scaled >= 10 { scaled /= 10; exponent += 1 }
        return exponent
    }

    private static func formatFixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let integer = UInt64(scaled)
        let divisor = UInt64(scale)
        let whole = integer / divisor
        let fraction = integer % divisor
        var fractionText = decimals > 0 ? String(fraction) : ""
        if decimals > 0 { fractionText = String(repeating: "0", count: decimals - fractionText.count) + fractionText }
        return (value < 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + fractionText : "")
    }

    public static func writeString(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
