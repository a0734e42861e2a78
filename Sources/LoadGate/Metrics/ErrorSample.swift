/// One example of a failure, so that a reader can act on it: its class, the status seen, what
/// went wrong, the start of the response (redacted and truncated before it is stored) and when.
public struct ErrorSample: Sendable, Equatable {
    public var failure: FailureClass
    /// The HTTP status of the response (nil when there was none).
    public var status: Int?
    public var message: String
    public var snippet: String?
    /// Since the run start.
    public var atNanos: Int64

    public init(failure: FailureClass, status: Int?, message: String, snippet: String?, atNanos: Int64) {
        self.failure = failure
        self.status = status
        self.message = message
        self.snippet = snippet
        self.atNanos = atNanos
    }
}

/// The first few distinct error samples per failure class of one step. Asking `wants` costs no
/// allocation, so the success path and repeated failures pay nothing; a sample is built only
/// while its class still has room, and after `maxOffersPerClass` offers a class stops looking.
public struct ErrorSampleSet: Sendable, Equatable {
    public static let perClass = 3
    public static let snippetBytes = 200
    static let maxOffersPerClass = 64

    public private(set) var samples: [ErrorSample] = []
    private var offers = [Int](repeating: 0, count: FailureClass.allCases.count)
    private var kept = [Int](repeating: 0, count: FailureClass.allCases.count)

    public init() {}

    /// Whether a sample of `failure` would still be looked at.
    @inline(__always)
    public func wants(_ failure: FailureClass) -> Bool {
        kept[failure.rawValue] < Self.perClass && offers[failure.rawValue] < Self.maxOffersPerClass
    }

    /// Keeps `sample` if its class has room and no kept sample says the same thing.
    public mutating func offer(_ sample: ErrorSample) {
        let index = sample.failure.rawValue
        guard wants(sample.failure) else { return }
        offers[index] += 1
        let duplicate = samples.contains {
            $0.failure == sample.failure && $0.status == sample.status && $0.message == sample.message && $0.snippet == sample.snippet
        }
        guard !duplicate else { return }
        samples.append(sample)
        kept[index] += 1
    }

    /// Merges another worker's samples, earliest first, keeping the limits.
    public mutating func merge(_ other: ErrorSampleSet) {
        let all = (samples + other.samples).sorted { $0.atNanos < $1.atNanos }
        self = ErrorSampleSet()
        for sample in all {
            let index = sample.failure.rawValue
            guard kept[index] < Self.perClass else { continue }
            if samples.contains(where: { $0.failure == sample.failure && $0.status == sample.status
                                         && $0.message == sample.message && $0.snippet == sample.snippet }) { continue }
            samples.append(sample)
            kept[index] += 1
        }
    }

    /// The start of a response body as text, at most `snippetBytes` bytes (cut on a character
    /// boundary), nil when empty. Redact the result before storing it.
    public static func snippet(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        var text = String(decoding: body.prefix(snippetBytes), as: UTF8.self)
        while text.utf8.count > snippetBytes { text.removeLast() }
        if text.hasSuffix("\u{FFFD}"), body.count > snippetBytes { text.removeLast() }
        return text
    }
}
