@testable import LoadGate

/// The `http-response` target: a peer's reply fed to the native engine's response parser whole,
/// in the splits the fuzzer chooses and (for short replies) one byte at a time. Traps when the
/// parser reads past a buffer, points at body bytes it did not consume, counts more body than it
/// was fed, fails to make progress (a hang), keeps moving after the response ended, or reaches a
/// different verdict for the same bytes split differently.
///
/// Input layout: byte 0 holds flags (bit 0: the request was HEAD; bit 1: the peer closes after
/// the reply; bit 2: a small header limit, 64 + 16 × bits 4-7), bytes 1-8 the piece lengths to
/// cycle through (each 1 + value; 255 means "the rest"), then the reply.
enum HTTPResponseFuzz {
    struct Verdict: Equatable {
        var complete = false
        var failure: HTTPResponseParser.Failure?
        var status = 0
        var keepAlive = false
        var bodyBytes: Int64 = 0
        /// Where the response ended in the reply (bytes after it are the next response's).
        var end = -1
    }

    static func run(_ input: [UInt8]) {
        guard input.count >= 9 else { return }
        let flags = input[0]
        let lengths = Array(input[1..<9])
        let reply = Array(input[9...])
        let head = flags & 1 != 0
        let closes = flags & 2 != 0
        let limit = flags & 4 != 0 ? 64 + 16 * Int(flags >> 4) : HTTPResponseParser.defaultMaxHeaderBytes

        let whole = feed([reply[...]], head: head, closes: closes, limit: limit)
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var turn = 0
        while start < reply.count {
            let length = lengths[turn % lengths.count] == 255 ? reply.count - start : Int(lengths[turn % lengths.count]) + 1
            let end = min(reply.count, start + length)
            pieces.append(reply[start..<end])
            start = end
            turn += 1
        }
        let split = feed(pieces, head: head, closes: closes, limit: limit)
        guard split == whole else { fatalError("split \(pieces.map(\.count)) gives \(split), whole gives \(whole)") }
        if reply.count <= 2_048 {
            let bytewise = feed(reply.indices.map { reply[$0...$0] }, head: head, closes: closes, limit: limit)
            guard bytewise == whole else { fatalError("one byte at a time gives \(bytewise), whole gives \(whole)") }
        }
    }

    static func feed(_ pieces: [ArraySlice<UInt8>], head: Bool, closes: Bool, limit: Int) -> Verdict {
        var parser = HTTPResponseParser(maxHeaderBytes: limit)
        parser.reset(headRequest: head)
        var verdict = Verdict()
        var fed = 0
        var delivered: Int64 = 0
        for piece in pieces {
            let outcome: Bool = Array(piece).withUnsafeBytes { raw in
                var index = 0
                // Every call that does not end the piece delivers at least one body byte, so a
                // piece takes at most count + 1 calls; more is a parser that stopped moving.
                var calls = 0
                do throws(HTTPResponseParser.Failure) {
                    while true {
                        calls += 1
                        guard calls <= raw.count + 2 else { fatalError("no progress: \(calls) calls on \(raw.count) bytes") }
                        let before = index
                        let event = try parser.consume(raw, at: &index)
                        guard index >= before, index <= raw.count else { fatalError("index \(before) -> \(index) of \(raw.count)") }
                        switch event {
                        case .needMore:
                            guard index == raw.count else { fatalError("needMore with \(raw.count - index) bytes left") }
                            return false
                        case let .body(range):
                            guard range.lowerBound >= before, range.upperBound == index, !range.isEmpty else {
                                fatalError("body \(range) outside the consumed \(before)..<\(index)")
                            }
                            delivered += Int64(range.count)
                        case .complete:
                            guard parser.isComplete, parser.headersDone else { fatalError("complete but not isComplete/headersDone") }
                            let end = index
                            guard try parser.consume(raw, at: &index) == .complete, index == end else {
                                fatalError("a complete parser moved on")
                            }
                            verdict.end = fed + index
                            return true
                        }
                    }
                } catch {
                    verdict.failure = error
                    return true
                }
            }
            fed += piece.count
            guard parser.bodyBytes == delivered, delivered <= Int64(fed) else {
                fatalError("bodyBytes \(parser.bodyBytes), delivered \(delivered), fed \(fed)")
            }
            if outcome { break }
        }
        if verdict.end < 0, verdict.failure == nil, closes {
            do throws(HTTPResponseParser.Failure) {
                try parser.finishAtClose()
                guard parser.isComplete, !parser.keepAlive else { fatalError("finished at close but not complete, or kept alive") }
                verdict.end = fed
            } catch {
                verdict.failure = error
            }
        }
        verdict.complete = verdict.end >= 0
        verdict.status = parser.status
        verdict.keepAlive = parser.keepAlive
        verdict.bodyBytes = parser.bodyBytes
        if verdict.complete, !(100...999).contains(verdict.status) { fatalError("complete with status \(verdict.status)") }
        return verdict
    }
}
