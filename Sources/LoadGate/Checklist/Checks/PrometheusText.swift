/// The Prometheus text exposition format, parsed far enough to check a scrape: family types from
/// `# TYPE` lines and each sample's metric name and label names. Histogram and summary samples
/// (`_bucket`, `_sum`, `_count`) belong to their family.
struct PrometheusText {
    var types: [String: String] = [:]
    /// Sample name -> label-name sets seen.
    var samples: [String: [Set<String>]] = [:]

    static func parse(_ text: String) -> PrometheusText {
        var result = PrometheusText()
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 4, parts[1] == "TYPE" { result.types[String(parts[2])] = String(parts[3]) }
                continue
            }
            let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " }) ?? line.endIndex
            let name = String(line[..<nameEnd])
            var labels: Set<String> = []
            if nameEnd < line.endIndex, line[nameEnd] == "{", let close = line.lastIndex(of: "}") {
                var inQuotes = false
                var escaped = false
                var current = ""
                for character in line[line.index(after: nameEnd)..<close] {
                    if inQuotes {
                        if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inQuotes = false }
                        continue
                    }
                    switch character {
                    case "\"": inQuotes = true
                    case "=": labels.insert(current.trimmingCharacters(in: .whitespaces)); current = ""
                    case ",": current = ""
                    default: current.append(character)
                    }
                }
            }
            result.samples[name, default: []].append(labels)
        }
        return result
    }

    /// Label-name sets of a family's samples (including `_bucket`/`_sum`/`_count` and `le`).
    func labels(ofFamily family: String) -> [Set<String>] {
        var out = samples[family] ?? []
        for suffix in ["_bucket", "_sum", "_count", "_total", "_created"] { out += samples[family + suffix] ?? [] }
        return out
    }
}
