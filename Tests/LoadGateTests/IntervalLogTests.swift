import Foundation
import Testing
@testable import LoadGate

/// HdrHistogram's V2 encoding and interval log, as pure logic (the reference decoder is exercised
/// in `ScaleOutIntegrationTests`).
@Suite("HdrHistogram interval log")
struct IntervalLogTests {
    static func histogram(_ values: [(Int64, Int)]) -> Histogram {
        var histogram = Histogram.latencyMicros()
        for (value, count) in values { for _ in 0..<count { histogram.record(value) } }
        return histogram
    }

    @Test("a histogram encoded and decoded has the same counts, bucket by bucket")
    func roundTrip() throws {
        let original = Self.histogram([(1, 3), (250, 7), (1_023, 1), (1_024, 2), (123_456, 5), (3_600_000_000, 1), (987_654, 40)])
        let decoded = try IntervalLogEncoding.decode(IntervalLogEncoding.encode(original))
        #expect(decoded.counts == original.counts)
        #expect(decoded.totalCount == original.totalCount)
        for percentile in [50.0, 90, 99, 99.9] {
            #expect(decoded.value(atPercentile: percentile).map(original.highestEquivalent) == original.value(atPercentile: percentile).map(original.highestEquivalent))
        }
        #expect(IntervalLogEncoding.encode(original).hasPrefix("HISTFAAA"), "compressed V2 cookie 0x1c849314 in base64")
    }

    @Test("an empty histogram and one with a single huge count survive the encoding")
    func edgeCounts() throws {
        let empty = try IntervalLogEncoding.decode(IntervalLogEncoding.encode(Histogram.latencyMicros()))
        #expect(empty.isEmpty)
        var big = Histogram.latencyMicros()
        var counts = big.counts
        counts[5] = UInt64(1) << 60  // needs the ninth LEB128 byte
        big.restore(counts: counts)
        let decoded = try IntervalLogEncoding.decode(IntervalLogEncoding.encode(big))
        #expect(decoded.counts[5] == UInt64(1) << 60)
    }

    @Test("ZigZag LEB128 round-trips negative zero-run markers and 64-bit values")
    func zigZag() throws {
        for value: Int64 in [0, 1, -1, 63, -64, 64, 300, -300, Int64.max, Int64.min + 1, 1 << 56, -(1 << 56)] {
            var bytes: [UInt8] = []
            IntervalLogEncoding.putZigZag(value, into: &bytes)
            var position = 0
            #expect(try IntervalLogEncoding.getZigZag(bytes, &position, end: bytes.count) == value)
            #expect(position == bytes.count && bytes.count <= 9)
        }
    }

    @Test("hostile encodings are refused with a reason, never a crash")
    func hostileEncodings() {
        let good = IntervalLogEncoding.encode(Self.histogram([(100, 1)]))
        var bytes = [UInt8](Data(base64Encoded: good)!)
        #expect(throws: IntervalLogEncoding.DecodeError.self) { try IntervalLogEncoding.decode("not base64!") }
        #expect(throws: IntervalLogEncoding.DecodeError.self) { try IntervalLogEncoding.decode(Data(bytes.prefix(12)).base64EncodedString()) }
        bytes[0] = 0x7f  // wrong cookie
        #expect(throws: IntervalLogEncoding.DecodeError.self) { try IntervalLogEncoding.decode(Data(bytes).base64EncodedString()) }
        var corrupt = [UInt8](Data(base64Encoded: good)!)
        for index in 10..<corrupt.count { corrupt[index] ^= 0x5a }  // not a zlib stream any more
        #expect(throws: IntervalLogEncoding.DecodeError.self) { try IntervalLogEncoding.decode(Data(corrupt).base64EncodedString()) }
    }

    @Test("the writer streams HistogramLogWriter's format and the reader reads it back in order")
    func writeAndRead() throws {
        let scratch = try ScratchDirectory()
        let url = URL(fileURLWithPath: scratch.path("latency.hlog"))
        let start = Date(timeIntervalSince1970: 1_795_680_000.25)
        let writer = try IntervalLogWriter(url: url, startedAt: start, tags: ["get item", "post,x"])
        var second0 = IntervalSnapshot(second: 0, stepCount: 2)
        second0.steps[0].latency = Self.histogram([(120, 5)])
        var second1 = IntervalSnapshot(second: 1, stepCount: 2)
        second1.spanNanos = 400_000_000
        second1.steps[0].latency = Self.histogram([(130, 2)])
        second1.steps[1].latency = Self.histogram([(2_500, 1)])
        writer.append(second0)
        #expect(!FileManager.default.fileExists(atPath: url.path), "the log appears only when finished")
        writer.append(second1)
        try writer.finish()

        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "#[Histogram log format version 1.3]")
        #expect(lines[2].hasPrefix("#[StartTime: 1795680000.250 (seconds since epoch), 2026-"))
        #expect(lines[3] == "#[BaseTime: 1795680000.250 (seconds since epoch)]")
        #expect(lines[4] == "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"")
        #expect(lines[5].hasPrefix("Tag=get_item,0.000,1.000,0.120,HISTFAAA"))
        #expect(lines[7].hasPrefix("Tag=post_x,1.000,0.400,2.500,"), "tags cannot hold commas or spaces")
        #expect(lines.count == 8, "an empty step writes no line")

        let reader = try IntervalLogReader(path: url.path)
        var entries: [IntervalLogReader.Entry] = []
        while let entry = try reader.next() { entries.append(entry) }
        #expect(entries.map(\.tag) == ["get_item", "get_item", "post_x"])
        #expect(entries.map(\.histogram.totalCount) == [5, 2, 1])
        #expect(abs(entries[2].startSeconds - 1_795_680_001.25) < 1e-6)
        #expect(entries[2].lengthSeconds == 0.4)
        #expect(reader.baseTimeSeconds == 1_795_680_000.25)
    }

    @Test("a broken interval line is reported with its file and line number")
    func locatedErrors() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("bad.hlog", "#[BaseTime: 10.000 (seconds since epoch)]\nTag=a,0.000,1.000,0.1,HISTFAAAnotreally\n")
        let reader = try IntervalLogReader(path: path)
        do {
            _ = try reader.next()
            Issue.record("no error")
        } catch {
            #expect(error.description.hasPrefix(path + ":2: "))
        }
    }
}
