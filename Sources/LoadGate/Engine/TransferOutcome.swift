import CCurl
import Foundation

/// How one HTTP transfer ended, judged against its step's expectations. A pure function of
/// libcurl's result code, the status and the expectations: the one home of the rule (tested with
/// a table in `TransferOutcomeTests`), used by plain steps and, for the transport part, by
/// protocol exchanges.
enum TransferOutcome {
    /// The failure class of a response, nil when it succeeded. `bodyMatches` is asked only when
    /// the transfer and the status passed and the step checks the body.
    /// `osErrno` is libcurl's CURLINFO_OS_ERRNO for the transfer (0 when none).
    /// `bodyTooLarge`: the engine stopped the transfer at the step's body limit.
    static func classify(result: CURLcode, osErrno: Int = 0, bodyTooLarge: Bool = false, status: Int, expect: Expectation,
                         bodyMatches: () -> Bool) -> FailureClass? {
        classify(transport: result == CURLE_OK ? nil : transportFailure(result, osErrno: osErrno), bodyTooLarge: bodyTooLarge,
                 status: status, expect: expect, bodyMatches: bodyMatches)
    }

    /// The same judgement with the transport's failure already classified (nil: a response came):
    /// how the native engine's transfers are judged.
    static func classify(transport: FailureClass?, bodyTooLarge: Bool, status: Int, expect: Expectation,
                         bodyMatches: () -> Bool) -> FailureClass? {
        if bodyTooLarge { return .bodyTooLarge }
        if let transport { return transport }
        if (500...599).contains(status), !(expect.status?.contains(status) ?? false) { return .http5xx }
        if !expect.accepts(status: status) { return .unexpectedStatus }
        if expect.needsBody, !bodyMatches() { return .expectation }
        return nil
    }

    /// One line saying what went wrong, for error samples: libcurl's own message for transport
    /// failures, the status for HTTP ones, what the class means otherwise.
    static func describe(_ failure: FailureClass, result: CURLcode = CURLE_OK, status: Int) -> String {
        // libcurl calls a socket it could not open "Couldn't connect to server": say what happened.
        if result != CURLE_OK, failure != .bodyTooLarge, failure != .generatorFileLimit {
            return "libcurl: " + String(cString: curl_easy_strerror(result))
        }
        let http = status > 0 ? "HTTP \(status)" : "no response"
        switch failure {
        case .http5xx, .unexpectedStatus: return "\(http): not an expected status"
        case .expectation: return "\(http): the response did not meet the step's expectations"
        case .protocolError: return "\(http): the reply did not follow the protocol"
        case .jsonrpc: return "\(http): the reply was a JSON-RPC error"
        case .toolError: return "the MCP tool answered isError: true"
        case .taskFailed, .taskCanceled, .taskRejected, .taskInputRequired, .taskAuthRequired:
            return "the A2A task ended in state \(failure.name.dropFirst("task-".count))"
        case .workflowFailed: return "the workflow ended in a failed state"
        case .incomplete: return "still unfinished when its timeout passed or the run ended"
        case .connectionsBusy: return "not started: every connection was busy waiting on the target"
        case .generatorFileLimit: return "the generator could not open a socket (too many open files)"
        case .bodyTooLarge: return "\(http): the body exceeded the step's maxBodyBytes"
        case .timeout: return "timed out"
        case .dns, .connect, .tls: return failure.name
        }
    }

    /// nil for CURLE_OK, else the class of the transport failure.
    static func transportFailure(orNil code: CURLcode, osErrno: Int = 0, bodyTooLarge: Bool = false) -> FailureClass? {
        if bodyTooLarge { return .bodyTooLarge }
        return code == CURLE_OK ? nil : transportFailure(code, osErrno: osErrno)
    }

    /// Classifies a libcurl transfer result that is not CURLE_OK. A socket the generator could
    /// not open (EMFILE, ENFILE) is the generator's failure, whatever libcurl calls it.
    static func transportFailure(_ code: CURLcode, osErrno: Int = 0) -> FailureClass {
        if osErrno == Int(EMFILE) || osErrno == Int(ENFILE) { return .generatorFileLimit }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns
        case CURLE_COULDNT_CONNECT: return .connect
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return .tls
        default: return .protocolError
        }
    }
}
