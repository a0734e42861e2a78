import Foundation
import LoadGate

/// `run`'s `--shard I/N` and `--start-at TIME`, parsed and applied in one place: the scenario's
/// share of the load, and the wait for the common start.
struct ShardOptions {
    var shard = ShardSpec.single
    var isSharded = false
    var startAt: Date?

    static func parse(shard shardText: String?, startAt startText: String?, environment: [String: String],
                      problems: inout [Diagnostic]) -> ShardOptions {
        var options = ShardOptions()
        if let shardText {
            switch ShardSpec.parse(shardText, environment: environment) {
            case let .success(shard): options.shard = shard; options.isSharded = true
            case let .failure(error): problems.append(Diagnostic(file: "command line", path: "--shard", message: error.message))
            }
        }
        if let startText {
            if let date = StartTime.parse(startText) {
                if let problem = StartTime.problem(with: date) {
                    problems.append(Diagnostic(file: "command line", path: "--start-at", message: problem))
                } else {
                    options.startAt = date
                }
            } else {
                problems.append(Diagnostic(file: "command line", path: "--start-at",
                                           message: "\"\(startText)\" is not an RFC 3339 UTC time such as 2026-11-26T10:00:00Z"))
            }
        }
        return options
    }

    func split(_ scenario: Scenario) throws(CLIError) -> Scenario {
        switch ShardSplit.apply(scenario, shard: shard) {
        case let .success(split): return split
        case let .failure(error):
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--shard", message: error.message)]))
        }
    }

    /// Sleeps until `startAt` (if any); false when interrupted first.
    func waitForStart(signals: SignalWatch, quiet: Bool) -> Bool {
        guard let startAt else { return true }
        if !quiet, startAt.timeIntervalSinceNow > 1 {
            StandardError.write("loadgate: shard \(shard.index)/\(shard.count) waiting until \(Timestamp.iso8601(startAt)) to start\n")
        }
        while true {
            let remaining = startAt.timeIntervalSinceNow
            if remaining <= 0 { return true }
            if signals.wait(milliseconds: max(1, min(200, Int((remaining * 1000).rounded(.up))))) { return false }
        }
    }
}
