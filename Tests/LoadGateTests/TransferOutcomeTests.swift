import CCurl
import Foundation
import Testing
@testable import LoadGate

/// The one rule that turns a libcurl result, a status and a step's expectations into a failure
/// class, as a table.
@Suite("transfer outcome classification")
struct TransferOutcomeTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var what: String
        var result: CURLcode
        var status: Int
        var expectStatus: [Int]?
        var bodyExpected = false
        var bodyMatches = true
        var failure: FailureClass?
        var osErrno = 0
        var testDescription: String { what }
    }

    static let rows: [Row] = [
        Row(what: "200 with no expectations succeeds", result: CURLE_OK, status: 200, expectStatus: nil, failure: nil),
        Row(what: "302 is accepted by default (2xx and 3xx)", result: CURLE_OK, status: 302, expectStatus: nil, failure: nil),
        Row(what: "404 by default is an unexpected status", result: CURLE_OK, status: 404, expectStatus: nil, failure: .unexpectedStatus),
        Row(what: "404 expected succeeds", result: CURLE_OK, status: 404, expectStatus: [404], failure: nil),
        Row(what: "503 is a 5xx", result: CURLE_OK, status: 503, expectStatus: nil, failure: .http5xx),
        Row(what: "503 expected succeeds", result: CURLE_OK, status: 503, expectStatus: [503], failure: nil),
        Row(what: "500 when 200 is expected is still a 5xx", result: CURLE_OK, status: 500, expectStatus: [200], failure: .http5xx),
        Row(what: "201 when 200 is expected is unexpected", result: CURLE_OK, status: 201, expectStatus: [200], failure: .unexpectedStatus),
        Row(what: "a body that misses its expectation fails", result: CURLE_OK, status: 200, expectStatus: nil, bodyExpected: true,
            bodyMatches: false, failure: .expectation),
        Row(what: "a body that meets its expectation succeeds", result: CURLE_OK, status: 200, expectStatus: nil, bodyExpected: true,
            bodyMatches: true, failure: nil),
        Row(what: "the body is not judged when the status already failed", result: CURLE_OK, status: 404, expectStatus: nil,
            bodyExpected: true, bodyMatches: false, failure: .unexpectedStatus),
        Row(what: "999 is not a 5xx: an unexpected status", result: CURLE_OK, status: 999, expectStatus: nil, failure: .unexpectedStatus),
        Row(what: "600 is an unexpected status", result: CURLE_OK, status: 600, expectStatus: nil, failure: .unexpectedStatus),
        Row(what: "999 expected succeeds", result: CURLE_OK, status: 999, expectStatus: [999], failure: nil),
        Row(what: "refused is connect", result: CURLE_COULDNT_CONNECT, status: 0, expectStatus: nil, failure: .connect),
        Row(what: "unresolvable is dns", result: CURLE_COULDNT_RESOLVE_HOST, status: 0, expectStatus: nil, failure: .dns),
        Row(what: "timed out is timeout", result: CURLE_OPERATION_TIMEDOUT, status: 0, expectStatus: nil, failure: .timeout),
        Row(what: "a bad certificate is tls", result: CURLE_PEER_FAILED_VERIFICATION, status: 0, expectStatus: nil, failure: .tls),
        Row(what: "a TLS handshake error is tls", result: CURLE_SSL_CONNECT_ERROR, status: 0, expectStatus: nil, failure: .tls),
        Row(what: "garbage from the peer is protocol", result: CURLE_WEIRD_SERVER_REPLY, status: 0, expectStatus: nil, failure: .protocolError),
        Row(what: "a reset mid-body is protocol", result: CURLE_RECV_ERROR, status: 0, expectStatus: nil, failure: .protocolError),
        Row(what: "a socket the generator could not open (EMFILE) is the generator's", result: CURLE_COULDNT_CONNECT, status: 0,
            expectStatus: nil, failure: .generatorFileLimit, osErrno: Int(EMFILE)),
        Row(what: "ENFILE too", result: CURLE_COULDNT_CONNECT, status: 0, expectStatus: nil, failure: .generatorFileLimit, osErrno: Int(ENFILE)),
        Row(what: "a refusal with its own errno stays connect", result: CURLE_COULDNT_CONNECT, status: 0, expectStatus: nil,
            failure: .connect, osErrno: Int(ECONNREFUSED)),
        Row(what: "a transport failure wins over an expected status", result: CURLE_OPERATION_TIMEDOUT, status: 0, expectStatus: [0],
            failure: .timeout),
    ]

    @Test("each row classifies as written", arguments: rows)
    func classify(row: Row) {
        var expect = Expectation()
        expect.status = row.expectStatus
        if row.bodyExpected { expect.bodyContains = ["needle"] }
        var asked = false
        let failure = TransferOutcome.classify(result: row.result, osErrno: row.osErrno, status: row.status, expect: expect,
                                               bodyMatches: { asked = true; return row.bodyMatches })
        #expect(failure == row.failure)
        if !row.bodyExpected { #expect(!asked, "the body is judged only when the step checks it") }
    }

    @Test("a protocol exchange's transport failure is nil for CURLE_OK and classified otherwise")
    func transportOnly() {
        #expect(TransferOutcome.transportFailure(orNil: CURLE_OK) == nil)
        #expect(TransferOutcome.transportFailure(orNil: CURLE_COULDNT_CONNECT) == .connect)
    }
}
