import Testing
@testable import LoadGate

/// The one recorder: every completion lands in the run totals and in the second it happened in.
@Suite("step recorder")
struct StepRecorderTests {
    @Test("a completion is recorded in the totals and in its second; refusals are counted but are not latency samples")
    func recordsTotalsAndSeconds() {
        let mailbox = IntervalMailbox()
        var recorder = StepRecorder(metricCount: 2, mailbox: mailbox)
        recorder.start(atNanos: 0)
        var timings = TransferTimings()
        timings.bytesIn = 10
        timings.ttfbMicros = 500
        recorder.record(0, Completion(latencyNanos: 2_000_000, serviceNanos: 1_000_000, status: 200, failure: nil, timings: timings),
                        nowNanos: 100_000_000)
        recorder.record(0, Completion(latencyNanos: 5_000, serviceNanos: 5_000, status: 0, failure: .connect, timings: TransferTimings()),
                        nowNanos: 1_200_000_000)
        recorder.record(1, Completion(latencyNanos: 3_000_000, serviceNanos: 3_000_000, status: nil, failure: .jsonrpc, timings: nil),
                        nowNanos: 1_300_000_000)
        recorder.finish()
        let metrics = recorder.metrics
        #expect(metrics[0].requests == 2 && metrics[0].failed == 1 && metrics[0].failures[FailureClass.connect.rawValue] == 1)
        #expect(metrics[0].latency.totalCount == 1, "the refusal is not a latency sample")
        #expect(metrics[0].statusCodes[200] == 1 && metrics[0].statusCodes[0] == 1)
        #expect(metrics[0].ttfb.totalCount == 1 && metrics[0].bytesIn == 10)
        #expect(metrics[1].requests == 1 && metrics[1].latency.totalCount == 1 && metrics[1].statusCodes.allSatisfy { $0 == 0 })

        let (seconds, watermark) = mailbox.drain()
        #expect(watermark == Int.max)
        #expect(seconds.map(\.second) == [0, 1])
        #expect(seconds[0].steps[0].requests == 1 && seconds[0].steps[0].statusCodes == [200: 1])
        #expect(seconds[1].steps[0].requests == 1 && seconds[1].steps[0].failed == 1 && seconds[1].steps[1].requests == 1)
    }

    @Test("a completion stamped before the current second (a kernel arrival stamp read late) lands in the current second: seconds never go back")
    func stampsBeforeTheSecondRolled() {
        let mailbox = IntervalMailbox()
        var recorder = StepRecorder(metricCount: 1, mailbox: mailbox)
        recorder.start(atNanos: 0)
        let completion = Completion(latencyNanos: 1_000_000, serviceNanos: 1_000_000, status: 200, failure: nil, timings: nil)
        recorder.record(0, completion, nowNanos: 900_000_000)
        recorder.roll(1_000_100_000, inFlight: 1)               // the loop turn that rolled into second 1
        let (posted, watermark) = mailbox.drain()              // the runner may finalize second 0 now
        #expect(posted.map(\.second) == [0] && watermark == 1)
        recorder.record(0, completion, nowNanos: 999_990_000)  // arrived in second 0, read in second 1
        recorder.finish()
        let (rest, _) = mailbox.drain()
        #expect(rest.map(\.second) == [1], "nothing is posted for second 0 after it was handed over")
        #expect(rest.map { $0.steps[0].requests } == [1])
        #expect(recorder.metrics[0].requests == 2)
    }
}

@Suite("timeout floor")
struct TimeoutFloorTests {
    static let second: Int64 = 1_000_000_000

    @Test("a timeout is recorded at least at the timeout that fired: the whole timeout, or the 10 s connect timeout when it ended well before", arguments: [
        // (step timeout s, service ms, recorded service ms)
        (2.0, 1_999.6, 2_000.0),     // fired a fraction early: floored to 2 s
        (30.0, 10_000.4, 10_000.4),  // the connect timeout fired at 10 s of a 30 s step: not 30 s
        (30.0, 9_999.5, 10_000.0),   // ... a fraction early: floored to 10 s
        (30.0, 29_990.0, 30_000.0),  // the step timeout, 10 ms early: floored to 30 s
        (5.0, 4_999.0, 5_000.0),     // under 10 s the connect timeout is the step's: one floor
    ])
    func floor(timeoutSeconds: Double, serviceMs: Double, expectedMs: Double) {
        let timeout = Int64(timeoutSeconds * Double(Self.second))
        var completion = Completion(latencyNanos: Int64(serviceMs * 1e6) + 1_000, serviceNanos: Int64(serviceMs * 1e6), status: nil,
                                    failure: .timeout, timings: nil)
        completion.applyTimeoutFloor(timeout)
        #expect(completion.serviceNanos == Int64(expectedMs * 1e6))
        #expect(completion.latencyNanos >= completion.serviceNanos!)
    }

    @Test("the twin: a failure that is not a timeout is recorded as measured")
    func notTimeout() {
        var completion = Completion(latencyNanos: 5, serviceNanos: 5, status: nil, failure: .connect, timings: nil)
        completion.applyTimeoutFloor(30 * Self.second)
        #expect(completion.serviceNanos == 5 && completion.latencyNanos == 5)
    }
}
