import CCurl

/// Reads an A2A agent card once before the run and picks the JSON-RPC endpoint and protocol
/// version: 1.0 from `supportedInterfaces` (protocolBinding JSONRPC), else 0.3 from the card's
/// `url`; `a2a.version` and `a2a.endpoint` in the scenario override what the card says.
public enum A2AAgentCard {
    public struct Problem: Error, Sendable { public let message: String }

    public static func resolve(_ settings: A2ASettings, headers: [String], tls: TLSOptions) -> Result<A2AAgent, Problem> {
        if let endpoint = settings.endpointURL, let version = settings.version {
            return .success(A2AAgent(endpointURL: endpoint, version: version))
        }
        var problems: [String] = []
        for url in settings.cardURLs {
            let response = BlockingHTTP.perform(method: "GET", url: url, headers: headers, tls: tls)
            guard response.result == CURLE_OK, response.status == 200 else {
                problems.append("\(Redaction.url(url)): " + (response.status > 0 ? "HTTP \(response.status)" : "no response"))
                continue
            }
            guard let card = try? JSONParser.parse(response.body) else {
                problems.append("\(Redaction.url(url)): not JSON")
                continue
            }
            if let agent = choose(card, settings: settings) { return .success(agent) }
            problems.append("\(Redaction.url(url)): no JSON-RPC interface in the card")
        }
        return .failure(Problem(message: "agent card not usable (" + problems.joined(separator: "; ") + ")"))
    }

    static func choose(_ card: JSONValue, settings: A2ASettings) -> A2AAgent? {
        var candidates: [(url: String, version: String)] = []
        if case let .array(interfaces)? = card["supportedInterfaces"] {
            for interface in interfaces {
                guard case let .string(url)? = interface["url"] else { continue }
                let binding: String
                if case let .string(text)? = interface["protocolBinding"] { binding = text } else { binding = "JSONRPC" }
                guard binding.uppercased() == "JSONRPC" else { continue }
                var version = "1.0"
                if case let .string(text)? = interface["protocolVersion"] { version = text.hasPrefix("0.3") ? "0.3" : "1.0" }
                candidates.append((url, version))
            }
        }
        if case let .string(url)? = card["url"] {
            var transport = "JSONRPC"
            if case let .string(text)? = card["preferredTransport"] { transport = text }
            if transport.uppercased() == "JSONRPC" { candidates.append((url, "0.3")) }
        }
        if let wanted = settings.version {
            let match = candidates.first { $0.version == wanted } ?? candidates.first
            return match.map { A2AAgent(endpointURL: settings.endpointURL ?? $0.url, version: wanted) }
        }
        return candidates.first.map { A2AAgent(endpointURL: settings.endpointURL ?? $0.url, version: $0.version) }
    }
}
