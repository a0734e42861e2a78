/// Parses a `text/event-stream` body into its events' data (the `data:` lines of each event joined
/// by "\n"), tolerating CRLF, LF or CR line ends and comment lines. Events end at a blank line; a
/// final event without one is kept (the stream ended). One event larger than `maxEventBytes` (from
/// its first byte to the end of its last line, the line ends between its lines included) stops the
/// parse: the step fails as `body-too-large`, however large the body limit.
enum ServerSentEvents {
    struct Parsed {
        /// The data of each event before any oversized one.
        var payloads: [String]
        /// The size of the first event over the limit, nil when none was.
        var oversizedEventBytes: Int?
    }

    static func dataPayloads(_ body: [UInt8]) -> [String] { parse(body).payloads }

    static func parse(_ body: [UInt8], maxEventBytes: Int = Step.defaultMaxEventBytes) -> Parsed {
        var events: [String] = []
        var data: [String] = []
        var hasData = false
        /// Where the event being read began (nil between events).
        var eventStart: Int?
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
        /// The size of the event that ends at `end` if it is over the limit.
        func oversized(endingAt end: Int) -> Int? {
            guard let start = eventStart, end - start > maxEventBytes else { return nil }
            return end - start
        }
        while index < body.count {
            let byte = body[index]
            if byte == 0x0A || byte == 0x0D {
                if index == lineStart {
                    eventStart = nil  // a blank line ends the event
                } else {
                    if eventStart == nil { eventStart = lineStart }
                    // Checked at each line's end, before the line is decoded.
                    if let size = oversized(endingAt: index) { return Parsed(payloads: events, oversizedEventBytes: size) }
                }
                flushLine(body[lineStart..<index])
                if byte == 0x0D, index + 1 < body.count, body[index + 1] == 0x0A { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < body.count {
            if eventStart == nil { eventStart = lineStart }
            if let size = oversized(endingAt: body.count) { return Parsed(payloads: events, oversizedEventBytes: size) }
            flushLine(body[lineStart..<body.count])
        }
        if hasData { events.append(data.joined(separator: "\n")) }
        return Parsed(payloads: events, oversizedEventBytes: nil)
    }
}
