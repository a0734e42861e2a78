/// Validation of the protocol-aware parts of a scenario: the `mcp` and `a2a` settings, and steps
/// that speak MCP, A2A or the orchestrator's workflow API.
extension ScenarioLoader {
    static let mcpCalls = ["tools/call", "tools/list", "resources/list", "resources/read", "prompts/get", "prompts/list", "ping"]

    func mcpSettings(_ value: JSONValue?, target: String?, _ r: FieldReader) -> MCPSettings {
        var settings = MCPSettings()
        let base = Self.base(of: target)
        settings.endpointURL = base + "/mcp"
        guard let value = r.object(value, at: "mcp", expected: "an object such as {\"endpoint\": \"/mcp\"}") else { return settings }
        r.checkKeys(value, allowed: ["endpoint", "protocolVersion", "sessions"], at: "mcp")
        if let endpoint = value["endpoint"], let url = pathOrURL(endpoint, base: base, at: "mcp.endpoint", example: "/mcp", r) {
            settings.endpointURL = url
        }
        if let version = value["protocolVersion"] {
            let known = MCPSettings.sessionVersions + [MCPSettings.statelessVersion]
            if case let .string(text) = version, known.contains(text) {
                settings.protocolVersion = text
            } else {
                r.report("mcp.protocolVersion", "expected one of \(known.joined(separator: ", "))")
            }
        }
        if let sessions = r.integer(value["sessions"], at: "mcp.sessions", in: Limits.mcpSessions) {
            if settings.isStateless { r.report("mcp.sessions", "the stateless era (2026-07-28) has no sessions") }
            settings.sessions = sessions
        }
        return settings
    }

    func a2aSettings(_ value: JSONValue?, target: String?, _ r: FieldReader) -> A2ASettings {
        var settings = A2ASettings()
        let base = Self.base(of: target)
        settings.cardURLs = [base + "/.well-known/agent-card.json", base + "/.well-known/agent.json"]
        guard let value = r.object(value, at: "a2a", expected: "an object such as {\"version\": \"1.0\"}") else { return settings }
        r.checkKeys(value, allowed: ["card", "version", "endpoint", "allowedOrigins"], at: "a2a")
        if let origins = value["allowedOrigins"], let items = r.array(origins, at: "a2a.allowedOrigins",
                                                                       expected: "a list of origins such as [\"https://agents.example:8443\"]") {
            for (index, item) in items.enumerated() {
                if case let .string(text) = item, URLOrigin(text) != nil { settings.allowedOrigins.append(text) } else {
                    r.report("a2a.allowedOrigins[\(index)]", "expected an http(s) origin such as \"https://agents.example:8443\"")
                }
            }
        }
        if let card = value["card"], let url = pathOrURL(card, base: base, at: "a2a.card", example: "/.well-known/agent-card.json", r) {
            settings.cardURLs = [url]
        }
        if let version = value["version"] {
            if case let .string(text) = version, ["1.0", "0.3"].contains(text) { settings.version = text } else {
                r.report("a2a.version", "expected \"1.0\" or \"0.3\"")
            }
        }
        if let endpoint = value["endpoint"], let url = pathOrURL(endpoint, base: base, at: "a2a.endpoint", example: "/a2a", r) {
            settings.endpointURL = url
        }
        return settings
    }

    func protocolStep(_ value: JSONValue, kind: String, name: String, at path: String, target targetState: TargetState,
                      defaultHeaders: [(String, Template)], timeout: Int64, mcp: MCPSettings, _ r: FieldReader) -> Step? {
        let target = targetState.url
        let specPath = "\(path).\(kind)"
        guard let spec = value[kind], case .object = spec else {
            r.report(specPath, "expected an object")
            return nil
        }
        if value["expect"] != nil { r.report(path + ".expect", "applies to plain requests only; \(kind) steps judge their protocol's own outcome") }
        var headers = merged(defaultHeaders, self.headers(spec["headers"], at: specPath + ".headers", r))
        let needsTarget = target == nil && !targetState.isInvalid
        switch kind {
        case "mcp":
            if needsTarget && !mcp.endpointURL.hasPrefix("http") { r.report(specPath, "MCP steps need the scenario's \"target\" (or an absolute mcp.endpoint)") }
            r.checkKeys(spec, allowed: ["call", "method", "tool", "uri", "prompt", "arguments", "params", "expectError", "headers"], at: specPath)
            guard let call = mcpCall(spec, at: specPath, r) else { return nil }
            return Step(name: name, method: "POST", url: Template(literal: mcp.endpointURL), headers: headers, body: nil,
                        expect: Expectation(), timeoutNanos: timeout, kind: .mcp(call))
        case "a2a":
            r.checkKeys(spec, allowed: ["send", "await", "timeout", "stream", "returnImmediately", "pollInterval", "headers"], at: specPath)
            guard case let .string(text)? = spec["send"] else {
                r.report(specPath + ".send", "expected the message text to send, e.g. \"summarize ${uuid}\"")
                return nil
            }
            guard let message = r.template(text, at: specPath + ".send") else { return nil }
            let states = ["completed", "failed", "canceled", "rejected", "input-required", "auth-required", "working", "submitted"]
            let awaitState = r.choice(spec["await"], at: specPath + ".await", from: states) ?? "completed"
            let awaitTimeout = r.duration(spec["timeout"], at: specPath + ".timeout") ?? 60 * DurationText.nanosPerSecond
            let poll = r.duration(spec["pollInterval"], at: specPath + ".pollInterval") ?? 200_000_000
            let stream = r.bool(spec["stream"], at: specPath + ".stream") ?? false
            let immediate = r.bool(spec["returnImmediately"], at: specPath + ".returnImmediately") ?? false
            return Step(name: name, method: "POST", url: Template(literal: ""), headers: headers, body: nil, expect: Expectation(),
                        timeoutNanos: timeout, kind: .a2a(A2ASend(text: message, awaitState: awaitState, timeoutNanos: awaitTimeout,
                                                                   stream: stream, returnImmediately: immediate, pollIntervalNanos: poll)))
        default:
            r.checkKeys(spec, allowed: ["submit", "statusPath", "idPointer", "statePointer", "done", "failed", "pollInterval", "timeout", "headers"],
                        at: specPath)
            guard let target else {
                if !targetState.isInvalid { r.report(specPath, "workflow steps need the scenario's \"target\"") }
                return nil
            }
            let base = Self.base(of: target)
            guard let submit = spec["submit"], case .object = submit else {
                r.report(specPath + ".submit", "expected {\"path\": \"/api/v1/workflows\", \"json\": {...}}")
                return nil
            }
            r.checkKeys(submit, allowed: ["method", "path", "json", "body"], at: specPath + ".submit")
            var submitMethod = "POST"
            if let method = submit["method"] {
                if case let .string(text) = method, Self.methods.contains(text.uppercased()) { submitMethod = text.uppercased() } else {
                    r.report(specPath + ".submit.method", "expected one of \(Self.methods.joined(separator: ", "))")
                }
            }
            guard case let .string(submitPath)? = submit["path"], submitPath.hasPrefix("/") else {
                r.report(specPath + ".submit.path", "expected a path starting with '/'")
                return nil
            }
            guard let submitTemplate = r.template(submitPath, at: specPath + ".submit.path", wire: true, secret: false) else { return nil }
            var body: Template?
            if let json = submit["json"] {
                body = compileJSON(json, at: specPath + ".submit.json", r)
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                    headers.append(("Content-Type", Template(literal: "application/json")))
                }
            } else if case let .string(text)? = submit["body"] {
                body = r.template(text, at: specPath + ".submit.body")
            }
            guard case let .string(statusPath)? = spec["statusPath"], statusPath.hasPrefix("/") else {
                r.report(specPath + ".statusPath", "expected a path with ${id}, such as \"/api/v1/workflows/${id}\"")
                return nil
            }
            // `${id}` is the submitted workflow's id: a capture of this step.
            guard let status = r.template(statusPath.replacingOccurrences(of: "${id}", with: "${captured.id}"), at: specPath + ".statusPath",
                                          wire: true, secret: false) else { return nil }
            let idPointer = pointer(spec["idPointer"], default: "/id", at: specPath + ".idPointer", r)
            let statePointer = pointer(spec["statePointer"], default: "/status", at: specPath + ".statePointer", r)
            let done = r.strings(spec["done"], at: specPath + ".done") ?? ["completed"]
            let failed = r.strings(spec["failed"], at: specPath + ".failed") ?? ["failed", "cancelled", "canceled"]
            let poll = r.duration(spec["pollInterval"], at: specPath + ".pollInterval") ?? 500_000_000
            let workflowTimeout = r.duration(spec["timeout"], at: specPath + ".timeout", in: Limits.runNanos) ?? 300 * DurationText.nanosPerSecond
            let workflow = WorkflowSpec(submitMethod: submitMethod,
                                        submitURL: Template(segments: [.literal(base)] + submitTemplate.segments, environmentValues: []),
                                        submitBody: body, statusURL: Template(segments: [.literal(base)] + status.segments, environmentValues: []),
                                        idPointer: idPointer, statePointer: statePointer, done: done, failed: failed,
                                        pollIntervalNanos: poll, timeoutNanos: workflowTimeout)
            return Step(name: name, method: submitMethod, url: Template(literal: ""), headers: headers, body: nil, expect: Expectation(),
                        timeoutNanos: timeout, kind: .workflow(workflow))
        }
    }

    private func mcpCall(_ spec: JSONValue, at path: String, _ r: FieldReader) -> MCPCall? {
        let expectError = r.bool(spec["expectError"], at: path + ".expectError") ?? false
        if case let .string(method)? = spec["method"] {
            let params = spec["params"] ?? .object([])
            guard case .object = params, let template = compileJSON(params, at: path + ".params", r) else {
                r.report(path + ".params", "expected an object")
                return nil
            }
            var name: String?
            if case let .string(text)? = params["name"] { name = text }
            return MCPCall(method: method, params: template, name: name, expectError: expectError)
        }
        guard case let .string(call)? = spec["call"] else {
            r.report(path, "needs \"call\" (one of \(Self.mcpCalls.joined(separator: ", "))) or a raw \"method\"")
            return nil
        }
        guard Self.mcpCalls.contains(call) else {
            let hint = closestMatch(to: call, in: Self.mcpCalls).map { "; did you mean '\($0)'?" } ?? ""
            r.report(path + ".call", "unknown call '\(call)'\(hint); use \"method\" for anything else")
            return nil
        }
        var params: [(key: String, value: JSONValue)] = []
        var name: String?
        if let named = Self.namedCalls[call] {
            guard case let .string(text)? = spec[named.key] else {
                r.report(path + "." + named.key, "\(call) needs \(named.needs)")
                return nil
            }
            name = text
            params = [(named.param, .string(text))]
            if named.takesArguments { params.append(("arguments", spec["arguments"] ?? .object([]))) }
        }
        guard let template = compileJSON(.object(params), at: path + (spec["arguments"] != nil ? ".arguments" : ""), r) else { return nil }
        return MCPCall(method: call, params: template, name: name, expectError: expectError)
    }

    /// The MCP calls that name what they act on: the step key that holds the name, what an error
    /// says is missing, the params key the name is sent under, and whether `arguments` go along.
    private static let namedCalls: [String: (key: String, needs: String, param: String, takesArguments: Bool)] = [
        "tools/call": ("tool", "the tool's name", "name", true),
        "resources/read": ("uri", "a uri", "uri", false),
        "prompts/get": ("prompt", "the prompt's name", "name", true),
    ]

    private func pointer(_ value: JSONValue?, default fallback: String, at path: String, _ r: FieldReader) -> String {
        guard let value else { return fallback }
        if case let .string(text) = value, text.isEmpty || text.hasPrefix("/") { return text }
        r.report(path, "expected a JSON Pointer such as \"/id\"")
        return fallback
    }
}
