/// Read access to a `report.json` document for the renderers (which take nothing else).
extension JSONValue {
    public func text(_ pointer: String) -> String? {
        if case let .string(text)? = resolve(pointer: pointer) { return text }
        return nil
    }

    public func number(_ pointer: String) -> Double? {
        if case let .number(number)? = resolve(pointer: pointer) { return number }
        return nil
    }

    public func list(_ pointer: String) -> [JSONValue] {
        if case let .array(items)? = resolve(pointer: pointer) { return items }
        return []
    }

    public func flag(_ pointer: String) -> Bool? {
        if case let .bool(flag)? = resolve(pointer: pointer) { return flag }
        return nil
    }
}

/// Escaping for XML and HTML text and attributes.
enum Markup {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\r": out += "&#13;"  // a raw CR in an attribute would be normalized away
            default:
                // XML 1.0 forbids most control characters and U+FFFE/U+FFFF; C1 controls and DEL
                // are legal but make terminals and viewers misbehave.
                let value = scalar.value
                if (value < 0x20 && scalar != "\n" && scalar != "\t") || value == 0x7F || (0x80...0x9F).contains(value)
                    || value == 0xFFFE || value == 0xFFFF {
                    out += "?"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return DurationText.format(nanos: Int64((value * 1e9).rounded()))
    }
}
