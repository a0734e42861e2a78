import CZlib
import Foundation

/// HdrHistogram's V2 histogram encoding, DEFLATE-compressed and base64-wrapped: the
/// `Interval_Compressed_Histogram` column of an interval log, as HdrHistogram's
/// `encodeIntoCompressedByteBuffer` writes it (and Java, C, Go and Python HdrHistogram read it).
///
///     compressed:  cookie 0x1c849314 (int32) · length of the zlib stream (int32) · zlib stream of:
///     encoding:    cookie 0x1c849313 (int32) · payload length (int32) · normalizing index offset (int32, 0)
///                  · significant digits (int32) · lowest discernible (int64) · highest trackable (int64)
///                  · integer-to-double conversion ratio (float64, 1.0) · payload
///     payload:     the counts array in order, each count ZigZag LEB128; a run of N > 1 zero counts as -N
///
/// All integers are big-endian. The cookies are the V2 bases (0x1c849303, 0x1c849304) with 0x10 in
/// the word-size nibble, as every reference implementation writes them. LoadGate's `Histogram`
/// shares HdrHistogram's counts layout, so counts are copied index for index: decoding is exact.
public enum IntervalLogEncoding {
    public static let encodingCookieBase: UInt32 = 0x1c84_9303
    public static let compressedCookieBase: UInt32 = 0x1c84_9304
    static let headerSize = 40
    /// Refuse to inflate past this: a hostile log cannot make the reader allocate without bound.
    static let maximumInflatedBytes = 64 << 20

    /// Why a histogram could not be decoded, as data (the reader adds file and line).
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func encode(_ histogram: Histogram) -> String {
        var payload: [UInt8] = []
        let counts = histogram.counts
        let limit = (counts.lastIndex { $0 != 0 } ?? -1) + 1
        payload.reserveCapacity(limit / 4 + 16)
        var index = 0
        while index < limit {
            let count = counts[index]
            index += 1
            if count == 0 {
                var zeros: Int64 = 1
                while index < limit, counts[index] == 0 { zeros += 1; index += 1 }
                putZigZag(zeros > 1 ? -zeros : 0, into: &payload)
            } else {
                putZigZag(Int64(clamping: count), into: &payload)
            }
        }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(headerSize + payload.count)
        putInt32(encodingCookieBase | 0x10, into: &encoded)
        putInt32(UInt32(payload.count), into: &encoded)
        putInt32(0, into: &encoded)
        putInt32(UInt32(histogram.significantDigits), into: &encoded)
        putInt64(UInt64(histogram.lowestDiscernible), into: &encoded)
        putInt64(UInt64(histogram.highestTrackable), into: &encoded)
        putInt64((1.0 as Double).bitPattern, into: &encoded)
        encoded += payload

        var compressedLength = compressBound(uLong(encoded.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compressed.withUnsafeMutableBufferPointer { output in
            encoded.withUnsafeBufferPointer { input in
                compress2(output.baseAddress, &compressedLength, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "compress2 failed with \(status) on a buffer of compressBound size")
        var wrapped: [UInt8] = []
        putInt32(compressedCookieBase | 0x10, into: &wrapped)
        putInt32(UInt32(compressedLength), into: &wrapped)
        wrapped += compressed.prefix(Int(compressedLength))
        return Data(wrapped).base64EncodedString()
    }

    /// Decodes one base64 column into a histogram of the layout its header names.
    public static func decode(_ base64: String) throws(DecodeError) -> Histogram {
        guard let data = Data(base64Encoded: base64) else { throw DecodeError(description: "not base64") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw DecodeError(description: "\(bytes.count) bytes is too short for a compressed histogram") }
        let cookie = int32(bytes, at: 0)
        guard cookie & ~0xf0 == compressedCookieBase else {
            throw DecodeError(description: "cookie 0x\(String(cookie, radix: 16)) is not HdrHistogram's compressed V2 encoding (0x1c849304)")
        }
        let length = Int(int32(bytes, at: 4))
        guard length > 0, length <= bytes.count - 8 else {
            throw DecodeError(description: "compressed length \(length) does not fit the \(bytes.count - 8) bytes present")
        }
        let encoded = try inflate(Array(bytes[8..<(8 + length)]))
        guard encoded.count >= headerSize else { throw DecodeError(description: "inflated encoding is shorter than its 40-byte header") }
        let innerCookie = int32(encoded, at: 0)
        guard innerCookie & ~0xf0 == encodingCookieBase else {
            throw DecodeError(description: "inner cookie 0x\(String(innerCookie, radix: 16)) is not the V2 encoding (0x1c849303)")
        }
        let payloadLength = Int(int32(encoded, at: 4))
        let normalizingOffset = int32(encoded, at: 8)
        let digits = Int(int32(encoded, at: 12))
        let lowest = Int64(bitPattern: int64(encoded, at: 16))
        let highest = Int64(bitPattern: int64(encoded, at: 24))
        let ratio = Double(bitPattern: int64(encoded, at: 32))
        guard payloadLength <= encoded.count - headerSize else { throw DecodeError(description: "payload length \(payloadLength) exceeds the data") }
        guard normalizingOffset == 0 else { throw DecodeError(description: "normalizing index offset \(normalizingOffset) is not supported (shifted histograms)") }
        guard ratio == 1.0 else { throw DecodeError(description: "integer-to-double ratio \(ratio): a DoubleHistogram, not a latency histogram") }
        guard (1...5).contains(digits), lowest >= 1, lowest <= Int64.max / 2, highest >= 2 * lowest else {
            throw DecodeError(description: "invalid layout (lowest \(lowest), highest \(highest), \(digits) significant digits)")
        }
        var histogram = Histogram(lowestDiscernible: lowest, highestTrackable: highest, significantDigits: digits)
        var counts = [UInt64](repeating: 0, count: histogram.counts.count)
        var position = headerSize
        let end = headerSize + payloadLength
        var index = 0
        while position < end {
            let value = try getZigZag(encoded, &position, end: end)
            if value < 0 {
                let zeros = value == .min ? Int64.max : -value
                guard zeros <= Int64(counts.count - index) else { throw DecodeError(description: "a run of zero counts passes the end of the counts array") }
                index += Int(zeros)
            } else {
                guard index < counts.count else { throw DecodeError(description: "more counts than the layout holds (\(counts.count))") }
                counts[index] = UInt64(value)
                index += 1
            }
        }
        histogram.restore(counts: counts)
        return histogram
    }

    // MARK: - Bytes

    static func putZigZag(_ value: Int64, into out: inout [UInt8]) {
        var bits = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if bits >> 7 == 0 { out.append(UInt8(bits)); return }
            out.append(UInt8(bits & 0x7f) | 0x80)
            bits >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: bits))  // the ninth byte carries 8 bits
    }

    static func getZigZag(_ bytes: [UInt8], _ position: inout Int, end: Int) throws(DecodeError) -> Int64 {
        var bits: UInt64 = 0
        for byteIndex in 0..<9 {
            guard position < end else { throw DecodeError(description: "a count is cut off at the end of the payload") }
            let byte = bytes[position]
            position += 1
            if byteIndex == 8 {
                bits |= UInt64(byte) << 56
                break
            }
            bits |= UInt64(byte & 0x7f) << UInt64(7 * byteIndex)
            if byte & 0x80 == 0 { break }
        }
        return Int64(bitPattern: bits >> 1) ^ -Int64(bitPattern: bits & 1)
    }

    private static func inflate(_ compressed: [UInt8]) throws(DecodeError) -> [UInt8] {
        var capacity = max(4096, compressed.count * 8)
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            var outputLength = uLong(capacity)
            let status = output.withUnsafeMutableBufferPointer { out in
                compressed.withUnsafeBufferPointer { input in
                    uncompress(out.baseAddress, &outputLength, input.baseAddress, uLong(input.count))
                }
            }
            if status == Z_OK { return Array(output.prefix(Int(outputLength))) }
            if status == Z_BUF_ERROR, capacity < maximumInflatedBytes { capacity = min(capacity * 4, maximumInflatedBytes); continue }
            throw DecodeError(description: status == Z_BUF_ERROR ? "inflates past \(maximumInflatedBytes >> 20) MiB" : "not a valid zlib stream (zlib status \(status))")
        }
    }

    private static func putInt32(_ value: UInt32, into out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func putInt64(_ value: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func int32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    private static func int64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
    }
}
