/// An incremental HTTP/1.1 response parser for the native engine: fed whatever bytes a socket
/// returned, it says where the body bytes are and when the response ends. It exists so that plain
/// `http://` steps can skip libcurl's per-request costs (URL parsing, printf-built requests,
/// mallocs) without trusting the peer any more than libcurl does: it keeps no header values,
/// allocates nothing per response beyond one reusable line buffer, bounds the header block,
/// chunk-size lines and every number, and refuses what libcurl refuses (a status line that is not
/// HTTP/1.x, a Content-Length that is not a number or disagrees with itself, a bad chunk).
///
/// Accepted as libcurl accepts them: bare-LF line ends, interim 1xx responses (skipped), any
/// three-digit status (999 included), bodies delimited by Content-Length, chunked encoding or the
/// connection's end, and no body after HEAD, 1xx, 204 and 304.
struct HTTPResponseParser {
    /// Why a response was refused (the request fails as `protocol`).
    enum Failure: Error, Equatable {
        case notHTTP
        case badStatusLine
        case headersTooLarge(limit: Int)
        case badContentLength
        case badChunk
        case upgrade
        case truncated(missing: String)

        var message: String {
            switch self {
            case .notHTTP: return "the reply is not HTTP/1.x"
            case .badStatusLine: return "the status line is malformed"
            case let .headersTooLarge(limit): return "the response headers exceed \(limit) bytes"
            case .badContentLength: return "the Content-Length is not one non-negative number"
            case .badChunk: return "a chunk of the chunked body is malformed"
            case .upgrade: return "the server switched protocols (101) although none was asked for"
            case let .truncated(missing): return "the connection closed before the response was complete (\(missing))"
            }
        }
    }

    /// What `consume` found next.
    enum Event: Equatable {
        /// Every byte given was used; feed more.
        case needMore
        /// Body bytes at these offsets of the buffer (already decoded from chunked framing).
        case body(Range<Int>)
        /// The response ended; bytes from the returned index on belong to whatever follows.
        case complete
    }

    private enum State {
        case statusLine, headers
        case fixedBody(remaining: Int64)
        case chunkSize, chunkData(remaining: Int64), chunkDataEnd, trailers
        case untilClose
        case done
    }

    static let defaultMaxHeaderBytes = 256 * 1024
    /// A chunk-size line (hex digits and extensions) longer than this is refused.
    static let maxChunkLineBytes = 4 * 1024

    let maxHeaderBytes: Int
    private var state = State.statusLine
    private var line: [UInt8] = []
    private var isHeadRequest = false
    private var headerBytes = 0

    // What the response said.
    private(set) var status = 0
    /// HTTP/1.1 without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`, and a
    /// body whose end is known: the connection can carry the next request.
    private(set) var keepAlive = true
    private var minorVersion = 1
    private var contentLength: Int64?
    private var chunked = false
    private var closeRequested = false
    private var keepAliveRequested = false
    /// Decoded body bytes so far.
    private(set) var bodyBytes: Int64 = 0

    init(maxHeaderBytes: Int = HTTPResponseParser.defaultMaxHeaderBytes) {
        self.maxHeaderBytes = maxHeaderBytes
        line.reserveCapacity(256)
    }

    /// Makes the parser ready for the response to the next request.
    mutating func reset(headRequest: Bool) {
        state = .statusLine
        line.removeAll(keepingCapacity: true)
        isHeadRequest = headRequest
        headerBytes = 0
        status = 0
        keepAlive = true
        bodyBytes = 0
        resetHeaderFacts()
    }

    private mutating func resetHeaderFacts() {
        minorVersion = 1
        contentLength = nil
        chunked = false
        closeRequested = false
        keepAliveRequested = false
        transferEncodingSeen = false
    }

    var isComplete: Bool { if case .done = state { return true } else { return false } }
    /// True once the status line and headers of the final response were read.
    var headersDone: Bool {
        switch state {
        case .statusLine, .headers: return false
        default: return true
        }
    }

    /// Reads from `bytes[index...]`, advancing `index` past what it used, and returns the next
    /// event. Call again until `.needMore` (all used) or `.complete`.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, at index: inout Int) throws(Failure) -> Event {
        let end = bytes.count
        while index < end {
            switch state {
            case .statusLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                guard try takeLine(bytes, at: &index) else { return .needMore }
                if let event = try lineCompleted() { return event }
            case let .fixedBody(remaining):
                let take = Int(min(Int64(end - index), remaining))
                let range = index..<(index + take)
                index += take
                bodyBytes += Int64(take)
                if remaining == Int64(take) { state = .done }
                else { state = .fixedBody(remaining: remaining - Int64(take)) }
                if take > 0 { return .body(range) }
            case let .chunkData(remaining):
                let take = Int(min(Int64(end - index), remaining))
                let range = index..<(index + take)
                index += take
                bodyBytes += Int64(take)
                state = remaining == Int64(take) ? .chunkDataEnd : .chunkData(remaining: remaining - Int64(take))
                if take > 0 { return .body(range) }
            case .untilClose:
                let range = index..<end
                bodyBytes += Int64(end - index)
                index = end
                return .body(range)
            case .done:
                return .complete
            }
            if case .done = state { return .complete }
        }
        if case .done = state { return .complete }
        return .needMore
    }

    /// The connection ended (peer closed). Returns normally when that completes the response (a
    /// body delimited by the close); throws when the response was cut short.
    mutating func finishAtClose() throws(Failure) {
        switch state {
        case .untilClose:
            state = .done
            keepAlive = false
        case .done:
            return
        case .statusLine where line.isEmpty && headerBytes == 0:
            throw .truncated(missing: "no response at all")
        case .statusLine, .headers:
            throw .truncated(missing: "headers")
        case let .fixedBody(remaining):
            throw .truncated(missing: "\(remaining) of \(contentLength ?? 0) body bytes")
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            throw .truncated(missing: "the rest of the chunked body")
        }
    }

    /// True when nothing of a response has arrived yet (a reused connection that died idle).
    var receivedNothing: Bool {
        if case .statusLine = state { return line.isEmpty && headerBytes == 0 }
        return false
    }

    // MARK: - Lines

    /// Appends bytes up to and including the next LF to `line`; returns false when the line is not
    /// complete yet (all bytes used): false. The CR before the LF, if any, is dropped.
    private mutating func takeLine(_ bytes: UnsafeRawBufferPointer, at index: inout Int) throws(Failure) -> Bool {
        let end = bytes.count
        var cursor = index
        while cursor < end, bytes[cursor] != 0x0A { cursor += 1 }
        let found = cursor < end
        let length = cursor - index
        try account(length + (found ? 1 : 0))
        if length > 0 { line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<cursor])) }
        index = found ? cursor + 1 : cursor
        guard found else { return false }
        if line.last == 0x0D { line.removeLast() }
        return true
    }

    /// Bounds what a line may grow to: the header block, or one chunk-size line.
    private mutating func account(_ count: Int) throws(Failure) {
        switch state {
        case .statusLine, .headers, .trailers:
            headerBytes += count
            if headerBytes > maxHeaderBytes { throw .headersTooLarge(limit: maxHeaderBytes) }
        case .chunkSize, .chunkDataEnd:
            if line.count + count > Self.maxChunkLineBytes { throw .badChunk }
        default:
            break
        }
    }

    /// Acts on the complete line in `line`.
    private mutating func lineCompleted() throws(Failure) -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .statusLine:
            try parseStatusLine()
            state = .headers
        case .headers:
            if line.isEmpty { return try headersEnded() }
            try parseHeader()
        case .chunkSize:
            let size = try parseChunkSize()
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .chunkDataEnd:
            guard line.isEmpty else { throw .badChunk }
            state = .chunkSize
        case .trailers:
            if line.isEmpty {
                state = .done
                return .complete
            }
        default:
            break
        }
        return nil
    }

    /// `HTTP/1.x SSS[ reason]`.
    private mutating func parseStatusLine() throws(Failure) {
        let http: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F, 0x31, 0x2E]  // "HTTP/1."
        guard line.count >= 12, line.starts(with: http) else { throw .notHTTP }
        let minor = line[7]
        guard minor == 0x30 || minor == 0x31, line[8] == 0x20 else { throw .badStatusLine }
        var code = 0
        for offset in 9..<12 {
            let digit = line[offset]
            guard digit >= 0x30, digit <= 0x39 else { throw .badStatusLine }
            code = code * 10 + Int(digit - 0x30)
        }
        guard line.count == 12 || line[12] == 0x20 else { throw .badStatusLine }
        guard code >= 100 else { throw .badStatusLine }
        status = code
        minorVersion = Int(minor - 0x30)
    }

    private mutating func parseHeader() throws(Failure) {
        guard let colon = line.firstIndex(of: 0x3A), colon > 0, line[0] != 0x20, line[0] != 0x09 else { return }
        let name = line[0..<colon]
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        if Self.equalsIgnoringCase(name, "content-length") {
            var number: Int64 = 0
            guard !value.isEmpty, value.count <= 18 else { throw .badContentLength }
            for digit in value {
                guard digit >= 0x30, digit <= 0x39 else { throw .badContentLength }
                number = number * 10 + Int64(digit - 0x30)
            }
            if let contentLength, contentLength != number { throw .badContentLength }
            contentLength = number
        } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
            // The last coding decides: chunked, or the body runs to the close.
            let last = value.split(separator: 0x2C).last.map { Self.trimmed($0) } ?? value[value.startIndex..<value.startIndex]
            chunked = Self.equalsIgnoringCase(last, "chunked")
            if !chunked { contentLength = nil }
            transferEncodingSeen = true
        } else if Self.equalsIgnoringCase(name, "connection") {
            for token in value.split(separator: 0x2C) {
                let trimmed = Self.trimmed(token)
                if Self.equalsIgnoringCase(trimmed, "close") { closeRequested = true }
                if Self.equalsIgnoringCase(trimmed, "keep-alive") { keepAliveRequested = true }
            }
        }
    }

    private var transferEncodingSeen = false

    /// The blank line after the headers: skip an interim response, else choose how the body ends.
    private mutating func headersEnded() throws(Failure) -> Event? {
        if status == 101 { throw .upgrade }
        if (100...199).contains(status) {
            state = .statusLine
            status = 0
            resetHeaderFacts()
            return nil
        }
        keepAlive = minorVersion == 1 ? !closeRequested : (keepAliveRequested && !closeRequested)
        if isHeadRequest || status == 204 || status == 304 {
            state = .done
            return .complete
        }
        if transferEncodingSeen {
            if chunked { state = .chunkSize } else { state = .untilClose; keepAlive = false }
        } else if let contentLength {
            state = contentLength == 0 ? .done : .fixedBody(remaining: contentLength)
        } else {
            state = .untilClose
            keepAlive = false
        }
        return isComplete ? .complete : nil
    }

    /// Hex size before any `;extension`, at most 15 digits.
    private func parseChunkSize() throws(Failure) -> Int64 {
        var size: Int64 = 0
        var digits = 0
        for byte in line {
            let value: Int64
            switch byte {
            case 0x30...0x39: value = Int64(byte - 0x30)
            case 0x41...0x46: value = Int64(byte - 0x41 + 10)
            case 0x61...0x66: value = Int64(byte - 0x61 + 10)
            case 0x3B, 0x20, 0x09:
                guard digits > 0 else { throw .badChunk }
                return size
            default: throw .badChunk
            }
            digits += 1
            guard digits <= 15 else { throw .badChunk }
            size = size * 16 + value
        }
        guard digits > 0 else { throw .badChunk }
        return size
    }

    // MARK: - Bytes

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        var offset = 0
        for byte in bytes {
            let folded = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            if folded != literal[offset] { return false }
            offset += 1
        }
        return true
    }
}
