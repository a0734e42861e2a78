import Testing
@testable import LoadGate

/// One verdict type and one exit-code contract for every command.
@Suite("Verdict and exit codes")
struct VerdictTests {
    @Test("each verdict has its exit code", arguments: [
        (Verdict.passed, Int32(0)), (.failed, 1), (.invalid, 3),
    ])
    func exitCodes(verdict: Verdict, code: Int32) {
        #expect(verdict.exitCode == code)
    }

    @Test("parts combine to the worst: invalid over failed over passed", arguments: [
        (Verdict.passed, Verdict.passed, Verdict.passed), (.passed, .failed, .failed), (.failed, .passed, .failed),
        (.failed, .invalid, .invalid), (.invalid, .passed, .invalid), (.failed, .failed, .failed),
    ])
    func combining(a: Verdict, b: Verdict, expected: Verdict) {
        #expect(a.combined(with: b) == expected)
    }

    @Test("the contract's other codes are 2 for bad input and 4 for internal errors")
    func otherCodes() {
        #expect(ExitCode.invalidInput == 2)
        #expect(ExitCode.internalError == 4)
    }
}
