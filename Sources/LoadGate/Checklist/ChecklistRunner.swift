import Foundation

/// The outcome of one checklist item.
public struct ItemResult: Sendable {
    public enum Status: String, Sendable { case passed, failed, error, skipped, waived }

    public var item: ChecklistItem
    public var status: Status
    public var expected: String
    public var observed: String
    public var message: String
    public var startedAt: Date
    public var durationNanos: Int64
    public var attempts: Int
}

/// A whole checklist run, in file order.
public struct ChecklistRun: Sendable {
    public var checklist: Checklist
    public var file: String
    public var attestationsFile: String?
    public var attestationsSHA256: String?
    public var results: [ItemResult]
    public var startedAt: Date
    public var endedAt: Date

    /// Passed when no item that ran failed or errored (skipped and waived items do not count).
    public var passed: Bool { !results.contains { $0.status == .failed || $0.status == .error } }
    /// Failed when any selected, non-waived item failed (or could not be checked).
    public var verdict: Verdict { passed ? .passed : .failed }

    public func count(_ status: ItemResult.Status) -> Int { results.filter { $0.status == status }.count }
}

/// Runs checklist items concurrently (bounded), each attempt under its timeout, retrying Goss-style
/// until the item passes or its retry window closes. No item can hang the run: an attempt that
/// overstays its timeout is abandoned and the item fails.
public struct ChecklistRunner: Sendable {
    public var concurrency: Int
    public var onlyTags: Set<String>
    public var sections: Set<String>

    public init(concurrency: Int = 8, onlyTags: Set<String> = [], sections: Set<String> = []) {
        self.concurrency = max(1, concurrency)
        self.onlyTags = onlyTags
        self.sections = sections
    }

    public func run(_ checklist: Checklist, file: String, context: CheckContext, attestationsFile: String? = nil) -> ChecklistRun {
        let startedAt = Date()
        let results = ResultBox(count: checklist.items.count)
        let next = ResultBox.Counter()
        let group = DispatchGroup()
        for _ in 0..<min(concurrency, max(checklist.items.count, 1)) {
            group.enter()
            let thread = Thread {
                while let index = next.take(limit: checklist.items.count) {
                    results.set(index, self.evaluate(checklist.items[index], context: context))
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return ChecklistRun(checklist: checklist, file: file, attestationsFile: attestationsFile, attestationsSHA256: context.attestations.sha256,
                            results: results.values(), startedAt: startedAt, endedAt: Date())
    }

    func evaluate(_ item: ChecklistItem, context: CheckContext) -> ItemResult {
        let started = Date()
        let startNanos = MonotonicClock.nowNanos()
        func result(_ status: ItemResult.Status, _ expected: String, _ observed: String, _ message: String, attempts: Int) -> ItemResult {
            ItemResult(item: item, status: status, expected: expected, observed: observed, message: message, startedAt: started,
                       durationNanos: MonotonicClock.nowNanos() - startNanos, attempts: attempts)
        }
        if !sections.isEmpty, !sections.contains(item.section) { return result(.skipped, "", "", "section \(item.section) not selected", attempts: 0) }
        if !onlyTags.isEmpty, onlyTags.isDisjoint(with: item.tags) { return result(.skipped, "", "", "not tagged \(onlyTags.sorted().joined(separator: ", "))", attempts: 0) }
        if let waiver = context.attestations.entry(for: item.id), waiver.waiver, waiver.at <= context.now, (waiver.expires ?? .infinity) > context.now {
            return result(.waived, "", "waived by \(waiver.by)", waiver.justification, attempts: 0)
        }
        let retryDeadline = startNanos + item.retryTimeoutNanos
        var attempts = 0
        while true {
            attempts += 1
            let outcome = Self.attempt(item, context: context)
            if outcome.passed { return result(.passed, outcome.expected, outcome.observed, outcome.message, attempts: attempts) }
            if outcome.isConfigurationError { return result(.error, outcome.expected, outcome.observed, outcome.message, attempts: attempts) }
            if MonotonicClock.nowNanos() + item.retryIntervalNanos > retryDeadline {
                return result(.failed, outcome.expected, outcome.observed, outcome.message, attempts: attempts)
            }
            usleep(UInt32(min(item.retryIntervalNanos / 1_000, 10_000_000)))
        }
    }

    /// One attempt, abandoned if it outlives the item's timeout (plus a second of grace).
    static func attempt(_ item: ChecklistItem, context: CheckContext) -> CheckOutcome {
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = perform(item.check, id: item.id, timeoutNanos: item.timeoutNanos, context: context)
            done.signal()
        }
        thread.start()
        if done.wait(timeout: .now() + .nanoseconds(Int(item.timeoutNanos + 1_000_000_000))) == .timedOut {
            return .fail("an answer within \(DurationText.format(nanos: item.timeoutNanos))", "no result", "the check did not finish within its timeout")
        }
        return box.value ?? .fail("", "no result", "the check produced no result")
    }

    static func perform(_ check: CheckSpec, id: String, timeoutNanos: Int64, context: CheckContext) -> CheckOutcome {
        switch check {
        case let .tcp(host, port, local): return NetworkChecks.tcp(host: host, port: port, localAddress: local, timeoutNanos: timeoutNanos)
        case let .vpn(spec): return NetworkChecks.vpn(spec, timeoutNanos: timeoutNanos)
        case let .dns(spec): return NetworkChecks.dns(spec, timeoutNanos: timeoutNanos)
        case let .tls(spec): return TLSAndHTTPChecks.tls(spec, timeoutNanos: timeoutNanos)
        case let .http(spec): return TLSAndHTTPChecks.http(spec, timeoutNanos: timeoutNanos)
        case let .secrets(spec): return ServiceChecks.secret(spec, context: context)
        case let .redis(spec): return RedisCheck.check(spec, context: context, timeoutNanos: timeoutNanos)
        case let .prometheus(spec): return ServiceChecks.prometheus(spec, timeoutNanos: timeoutNanos)
        case let .command(argv, exitCode, pattern): return CommandCheck.check(argv: argv, exitCode: exitCode, outputPattern: pattern, timeoutNanos: timeoutNanos)
        case let .manual(description): return ServiceChecks.manual(id: id, description: description, context: context)
        }
    }
}

private final class OutcomeBox: @unchecked Sendable {
    var value: CheckOutcome?
}

/// Results written by worker threads at distinct indices, under a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ItemResult?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: ItemResult) { lock.withLock { storage[index] = result } }
    func values() -> [ItemResult] { lock.withLock { storage.compactMap { $0 } } }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        func take(limit: Int) -> Int? {
            lock.withLock {
                guard next < limit else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }
}
