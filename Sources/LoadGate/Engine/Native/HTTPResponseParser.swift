/// An incremental HTTP/1.1 response parser for the native engine: fed whatever bytes a socket
/// returned, it says where the body bytes are and when the response ends. It exists so that plain
/// `http://` steps can skip libcurl's per-request costs (URL parsing, printf-built requests,
/// mallocs) without trusting the peer any more than libcurl does: it keeps no header values,
/// allocates nothing per response beyond one reusable line buffer, bounds the header block, each
/// header line, chunk-size lines and every number, and refuses what libcurl 7.88 refuses (checked
/// side by side with curl 7.88.1 against a loopback peer): a reply that does not start `HTTP/`
/// (as soon as its first bytes show it), a status line that is not HTTP/1.0 or 1.1 with a code of
/// exactly three digits from 100, a header line with a NUL byte or without a colon, headers over
/// 300 KiB or a line over 100 KiB, a negative or non-numeric Content-Length, a chunk size that is
/// not 1 to 16 hex digits fitting 63 bits, chunk data not followed by its line end.
///
/// Accepted as libcurl accepts them: bare-LF line ends, `http/` in any case, a status code followed
/// by anything but a fourth digit, folded header lines, `Content-Length: 5, 5`, chunk extensions and
/// whatever else follows the hex size, CRs before the LF after chunk data, trailers, interim 1xx
/// responses (skipped), any status from 100 to 999, bodies delimited by Content-Length, chunked
/// encoding or the connection's end, and no body after HEAD, 1xx, 204 and 304.
///
/// Stricter than libcurl 7.88, on purpose (RFC 9112 section 6.3 tells a client to refuse these;
/// libcurl takes the last value or reads to the close): Content-Length values that disagree, one
/// past 63 bits, or with anything after the digits; a 101 that nobody asked for; a chunk-size line
/// over 4 KiB; a transfer coding other than chunked (libcurl would decode gzip, deflate, br or
/// zstd; this engine cannot, so it says so rather than count undecoded bytes).
struct HTTPResponseParser {
    /// Why a response was refused (the request fails as `protocol`).
    enum Failure: Error, Equatable {
        case notHTTP
        case badStatusLine
        case headersTooLarge(limit: Int)
        case headerLineTooLong(limit: Int)
        case badHeaderLine
        case badContentLength
        case unsupportedTransferCoding
        case badChunk
        case upgrade
        case truncated(missing: String)

        var message: String {
            switch self {
            case .notHTTP: return "the reply is not HTTP/1.x"
            case .badStatusLine: return "the status line is malformed"
            case let .headersTooLarge(limit): return "the response headers exceed \(limit) bytes"
            case let .headerLineTooLong(limit): return "a response header line exceeds \(limit) bytes"
            case .badHeaderLine: return "a header line has a NUL byte, no colon, or folds onto no header"
            case .badContentLength: return "the Content-Length is not one non-negative number"
            case .unsupportedTransferCoding:
                return "the Transfer-Encoding names a coding other than chunked, which the native engine does not decode (set defaults.engine to \"libcurl\")"
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

    /// libcurl's bound on a response's header block (MAX_HTTP_RESP_HEADER_SIZE).
    static let defaultMaxHeaderBytes = 300 * 1024
    /// libcurl's bound on one header line, its line end included (CURL_MAX_HTTP_HEADER).
    static let maxHeaderLineBytes = 100 * 1024
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
    private var transferEncodingSeen = false
    /// The Transfer-Encoding named a coding this engine cannot decode (refused if a body follows).
    private var undecodableCoding = false
    /// A header line of this block was read, so a line starting with a space or tab folds onto it.
    private var sawHeaderLine = false
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
        undecodableCoding = false
        sawHeaderLine = false
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
    /// complete yet (all bytes used). The CR before the LF, if any, is dropped.
    private mutating func takeLine(_ bytes: UnsafeRawBufferPointer, at index: inout Int) throws(Failure) -> Bool {
        let end = bytes.count
        var cursor = index
        while cursor < end, bytes[cursor] != 0x0A { cursor += 1 }
        let found = cursor < end
        let length = cursor - index
        if case .statusLine = state, line.count < 5 {
            // A reply that cannot be HTTP is refused from its first bytes, as libcurl does, not
            // after a line end that may never come. Only bytes within the header limit are looked
            // at, as a byte-by-byte feed would: the verdict does not depend on the split.
            var offset = line.count
            var probe = index
            while offset < 5, probe < cursor, headerBytes + (probe - index) <= maxHeaderBytes {
                guard Self.matchesHTTPPrefix(bytes[probe], at: offset) else { throw .notHTTP }
                offset += 1
                probe += 1
            }
        }
        try account(length + (found ? 1 : 0))
        if length > 0 { line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<cursor])) }
        index = found ? cursor + 1 : cursor
        guard found else { return false }
        if line.last == 0x0D { line.removeLast() }
        return true
    }

    /// Bounds what a line may grow to: the header block and one header line, or one chunk-size line.
    private mutating func account(_ count: Int) throws(Failure) {
        switch state {
        case .statusLine, .headers, .trailers:
            // The limit that a byte-by-byte feed would pass first is the one reported, so the
            // verdict does not depend on how the bytes were split (the total when both at once).
            let totalLeft = maxHeaderBytes - headerBytes
            let lineLeft = Self.maxHeaderLineBytes - line.count
            headerBytes += count
            if count > totalLeft, totalLeft <= lineLeft { throw .headersTooLarge(limit: maxHeaderBytes) }
            if count > lineLeft { throw .headerLineTooLong(limit: Self.maxHeaderLineBytes) }
            if count > totalLeft { throw .headersTooLarge(limit: maxHeaderBytes) }
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
            sawHeaderLine = false
        case .chunkDataEnd:
            // libcurl skips any number of CRs before the LF, and refuses anything else.
            guard line.allSatisfy({ $0 == 0x0D }) else { throw .badChunk }
            state = .chunkSize
        case .trailers:
            if line.isEmpty {
                state = .done
                return .complete
            }
            try checkHeaderLine()
        default:
            break
        }
        return nil
    }

    /// `HTTP/1.x SSS[ reason]`, read as libcurl 7.88 reads it: `HTTP/` in any case, version 1.0 or
    /// 1.1, one space, optional blanks, then exactly three digits from 100 not followed by a fourth.
    private mutating func parseStatusLine() throws(Failure) {
        guard line.count >= 7, Self.mayStartHTTP(line[...]), line[5] == 0x31, line[6] == 0x2E else { throw .notHTTP }
        guard !line.contains(0) else { throw .badHeaderLine }
        guard line.count > 8 else { throw .badStatusLine }
        let minor = line[7]
        guard minor == 0x30 || minor == 0x31, line[8] == 0x20 else { throw .badStatusLine }
        var cursor = 9
        while cursor < line.count, Self.isSpace(line[cursor]) { cursor += 1 }
        var code = 0
        for _ in 0..<3 {
            guard cursor < line.count, Self.isDigit(line[cursor]) else { throw .badStatusLine }
            code = code * 10 + Int(line[cursor] - 0x30)
            cursor += 1
        }
        guard code >= 100, cursor == line.count || !Self.isDigit(line[cursor]) else { throw .badStatusLine }
        status = code
        minorVersion = Int(minor - 0x30)
    }

    /// The first bytes of a reply can still be `HTTP/` (letters in any case, as libcurl compares).
    private static func mayStartHTTP(_ bytes: ArraySlice<UInt8>) -> Bool {
        for (offset, byte) in bytes.prefix(5).enumerated() where !matchesHTTPPrefix(byte, at: offset) { return false }
        return true
    }

    /// Byte `offset` (0 to 4) of a reply can be that of `HTTP/`, in any case.
    private static func matchesHTTPPrefix(_ byte: UInt8, at offset: Int) -> Bool {
        let http: StaticString = "http/"
        let folded = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
        return folded == http.utf8Start[offset]
    }

    /// A header or trailer line libcurl would take: no NUL byte; a name and a colon, or a folded
    /// continuation of a line before it.
    private mutating func checkHeaderLine() throws(Failure) {
        guard !line.contains(0) else { throw .badHeaderLine }
        if line[0] == 0x20 || line[0] == 0x09 {
            guard sawHeaderLine else { throw .badHeaderLine }
        } else {
            guard line.contains(0x3A) else { throw .badHeaderLine }
            sawHeaderLine = true
        }
    }

    private mutating func parseHeader() throws(Failure) {
        try checkHeaderLine()
        guard let colon = line.firstIndex(of: 0x3A), colon > 0, line[0] != 0x20, line[0] != 0x09 else { return }
        let name = line[0..<colon]
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        if Self.equalsIgnoringCase(name, "content-length") {
            // One number, or the same number repeated as a list (RFC 9110 section 8.6).
            for item in value.split(separator: 0x2C, omittingEmptySubsequences: false) {
                let number = try Self.contentLength(Self.trimmed(item))
                if let contentLength, contentLength != number { throw .badContentLength }
                contentLength = number
            }
        } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
            // Chunked anywhere in the list frames the body, as libcurl reads it; identity changes
            // nothing; any other coding would need a decoder this engine does not have.
            for item in value.split(separator: 0x2C) {
                let coding = Self.trimmed(item)
                if Self.equalsIgnoringCase(coding, "chunked") { chunked = true }
                else if !coding.isEmpty, !Self.equalsIgnoringCase(coding, "identity") { undecodableCoding = true }
            }
            transferEncodingSeen = true
        } else if Self.equalsIgnoringCase(name, "connection") {
            for token in value.split(separator: 0x2C) {
                let trimmed = Self.trimmed(token)
                if Self.equalsIgnoringCase(trimmed, "close") { closeRequested = true }
                if Self.equalsIgnoringCase(trimmed, "keep-alive") { keepAliveRequested = true }
            }
        }
    }

    /// A Content-Length value: decimal digits only, at most 18 after leading zeros (below 2^63).
    private static func contentLength(_ digits: ArraySlice<UInt8>) throws(Failure) -> Int64 {
        guard !digits.isEmpty else { throw .badContentLength }
        var number: Int64 = 0
        var significant = 0
        for digit in digits {
            guard isDigit(digit) else { throw .badContentLength }
            if number > 0 || digit != 0x30 { significant += 1 }
            guard significant <= 18 else { throw .badContentLength }
            number = number * 10 + Int64(digit - 0x30)
        }
        return number
    }

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
            if undecodableCoding { throw .unsupportedTransferCoding }
            if chunked { state = .chunkSize } else { state = .untilClose; keepAlive = false }
        } else if let contentLength {
            state = contentLength == 0 ? .done : .fixedBody(remaining: contentLength)
        } else {
            state = .untilClose
            keepAlive = false
        }
        return isComplete ? .complete : nil
    }

    /// The hex size at the start of a chunk-size line: 1 to 16 digits whose value fits 63 bits.
    /// What follows the digits (an extension, or anything else) is skipped, as libcurl skips it.
    private func parseChunkSize() throws(Failure) -> Int64 {
        var size: Int64 = 0
        var digits = 0
        for byte in line {
            let value: Int64
            switch byte {
            case 0x30...0x39: value = Int64(byte - 0x30)
            case 0x41...0x46: value = Int64(byte - 0x41 + 10)
            case 0x61...0x66: value = Int64(byte - 0x61 + 10)
            default:
                guard digits > 0 else { throw .badChunk }
                return size
            }
            digits += 1
            guard digits <= 16, size <= (Int64.max - value) / 16 else { throw .badChunk }
            size = size * 16 + value
        }
        guard digits > 0 else { throw .badChunk }
        return size
    }

    // MARK: - Bytes

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// What C's isspace() (and so libcurl's sscanf) skips before a number.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

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
