import CCurl

/// Reads an A2A agent card once before the run and picks the JSON-RPC endpoint and protocol
/// version: 1.0 from `supportedInterfaces` (protocolBinding JSONRPC), else 0.3 from the card's
/// `url`; `a2a.version` and `a2a.endpoint` in the scenario override what the card says.
///
/// The card is the peer's word, not the user's: an endpoint it advertises is used only when it is
/// an http(s) URL with the origin of the configured target (or of the card URL the scenario
/// names), or an origin listed in `a2a.allowedOrigins`. Anything else (`file://`, `gopher://`,
/// another host) fails the A2A steps with a message saying why, and nothing is sent there.
public enum A2AAgentCard {
    public struct Problem: Error, Sendable, Equatable { public let message: String }

    /// What the preflight found: the agent, or why A2A steps fail.
    public typealias Resolution = Result<A2AAgent, Problem>

    /// Largest agent card read; a bigger one is refused (a card is a few kilobytes).
    public static let maxCardBytes = 1 << 20
    /// Time allowed for reading one card URL.
    public static let cardTimeoutMs = 5_000

    /// The explicit preflight a command runs before load starts (never an initializer): nil when
    /// no step speaks A2A. Requests carry the first A2A step's own static headers. The result is
    /// meant to be reused for every run of the same scenario (capacity steps).
    public static func preflight(_ scenario: Scenario) -> Resolution? {
        guard let step = scenario.steps.first(where: { if case .a2a = $0.kind { return true } else { return false } }) else { return nil }
        let headers = step.headers.filter { $0.value.isStatic }.map { "\($0.name): \($0.value.staticText)" }
        return resolve(scenario.a2a, target: scenario.target, headers: headers, tls: scenario.tls)
            .mapError { Problem(message: "a2a: " + $0.message) }
    }

    /// Origins an endpoint from the card may have: the target's, the named card URLs', the listed.
    static func trustedOrigins(_ settings: A2ASettings, target: String?) -> Set<URLOrigin> {
        var origins = Set(settings.allowedOrigins.compactMap(URLOrigin.init))
        if let target, let origin = URLOrigin(target) { origins.insert(origin) }
        for url in settings.cardURLs { if let origin = URLOrigin(url) { origins.insert(origin) } }
        return origins
    }

    public static func resolve(_ settings: A2ASettings, target: String?, headers: [String], tls: TLSOptions) -> Resolution {
        if let endpoint = settings.endpointURL, let version = settings.version {
            return .success(A2AAgent(endpointURL: endpoint, version: version))
        }
        let trusted = trustedOrigins(settings, target: target)
        var problems: [String] = []
        for url in settings.cardURLs {
            let response = BlockingHTTP.perform(method: "GET", url: url, headers: headers, tls: tls, timeoutMs: cardTimeoutMs,
                                                maxBodyBytes: maxCardBytes, abortOverLimit: true)
            if response.bodyTooLarge {
                problems.append("\(Redaction.url(url)): card larger than \(maxCardBytes) bytes")
                continue
            }
            guard response.result == CURLE_OK, response.status == 200 else {
                problems.append("\(Redaction.url(url)): " + (response.status > 0 ? "HTTP \(response.status)" : "no response (\(response.errorText))"))
                continue
            }
            guard let card = try? JSONParser.parse(response.body) else {
                problems.append("\(Redaction.url(url)): not JSON")
                continue
            }
            switch choose(card, settings: settings, trusted: trusted) {
            case let .success(agent): return .success(agent)
            case let .failure(problem): problems.append("\(Redaction.url(url)): \(problem.message)")
            }
        }
        return .failure(Problem(message: "agent card not usable (" + problems.joined(separator: "; ") + ")"))
    }

    /// Picks the endpoint without checking origins (the scenario's own `endpoint` always wins).
    static func choose(_ card: JSONValue, settings: A2ASettings) -> A2AAgent? {
        try? choose(card, settings: settings, trusted: nil).get()
    }

    /// - Parameter trusted: origins a card's endpoint may have; nil accepts any http(s) URL.
    static func choose(_ card: JSONValue, settings: A2ASettings, trusted: Set<URLOrigin>?) -> Resolution {
        var candidates: [(url: String, version: String)] = []
        var refused: [String] = []
        func consider(_ url: String, _ version: String) {
            if settings.endpointURL != nil { candidates.append((url, version)); return }
            guard let origin = URLOrigin(url) else {
                refused.append("endpoint \(quoted(url)) is not an http(s) URL")
                return
            }
            if let trusted, !trusted.contains(origin) {
                refused.append("endpoint \(quoted(url)) is not on the target's origin; list \"\(origin.scheme)://\(origin.host):\(origin.port)\" in a2a.allowedOrigins to allow it")
                return
            }
            candidates.append((url, version))
        }
        if case let .array(interfaces)? = card["supportedInterfaces"] {
            for interface in interfaces {
                guard case let .string(url)? = interface["url"] else { continue }
                let binding: String
                if case let .string(text)? = interface["protocolBinding"] { binding = text } else { binding = "JSONRPC" }
                guard binding.uppercased() == "JSONRPC" else { continue }
                var version = "1.0"
                if case let .string(text)? = interface["protocolVersion"] { version = text.hasPrefix("0.3") ? "0.3" : "1.0" }
                consider(url, version)
            }
        }
        if case let .string(url)? = card["url"] {
            var transport = "JSONRPC"
            if case let .string(text)? = card["preferredTransport"] { transport = text }
            if transport.uppercased() == "JSONRPC" { consider(url, "0.3") }
        }
        let chosen: (url: String, version: String)?
        if let wanted = settings.version {
            chosen = (candidates.first { $0.version == wanted } ?? candidates.first).map { ($0.url, wanted) }
        } else {
            chosen = candidates.first
        }
        if let chosen { return .success(A2AAgent(endpointURL: settings.endpointURL ?? chosen.url, version: chosen.version)) }
        if !refused.isEmpty { return .failure(Problem(message: refused.joined(separator: "; "))) }
        return .failure(Problem(message: "no JSON-RPC interface in the card"))
    }

    /// A peer's URL shown in a message: redacted, control characters escaped, at most 200 characters.
    static func quoted(_ url: String) -> String {
        let shown = TerminalText.escape(Redaction.url(url))
        return "\"" + (shown.count > 200 ? String(shown.prefix(200)) + "..." : shown) + "\""
    }
}
