/// Parses a `text/event-stream` body into its events' data (the `data:` lines of each event joined
/// by "\n"), tolerating CRLF, LF or CR line ends and comment lines. Events end at a blank line; a
/// final event without one is kept (the stream ended).
enum ServerSentEvents {
    static func dataPayloads(_ body: [UInt8]) -> [String] {
        var events: [String] = []
        var data: [String] = []
        var hasData = false
        var lineStart = 0
        var index = 0
        func flushLine(_ line: ArraySlice<UInt8>) {
            if line.isEmpty {
                if hasData { events.append(data.joined(separator: "\n")) }
                data.removeAll()
                hasData = false
                return
            }
            if line.first == UInt8(ascii: ":") { return }
            let text = String(decoding: line, as: UTF8.self)
            let field: Substring
            var value: Substring
            if let colon = text.firstIndex(of: ":") {
                field = text[..<colon]
                value = text[text.index(after: colon)...]
                if value.first == " " { value = value.dropFirst() }
            } else {
                field = Substring(text)
                value = ""
            }
            if field == "data" {
                data.append(String(value))
                hasData = true
            }
        }
        while index < body.count {
            let byte = body[index]
            if byte == 0x0A || byte == 0x0D {
                flushLine(body[lineStart..<index])
                if byte == 0x0D, index + 1 < body.count, body[index + 1] == 0x0A { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < body.count { flushLine(body[lineStart..<body.count]) }
        if hasData { events.append(data.joined(separator: "\n")) }
        return events
    }
}
