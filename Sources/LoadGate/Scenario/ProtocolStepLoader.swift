/// Validation of the protocol-aware parts of a scenario: the `mcp` and `a2a` settings, steps that
/// speak MCP, A2A or the orchestrator's workflow API, and response captures.
extension ScenarioLoader {
    static let mcpCalls = ["tools/call", "tools/list", "resources/list", "resources/read", "prompts/get", "prompts/list", "ping"]

    func mcpSettings(_ value: JSONValue?, target: String?, sink: inout DiagnosticSink) -> MCPSettings {
        var settings = MCPSettings()
        let base = Self.base(of: target)
        settings.endpointURL = base + "/mcp"
        guard let value else { return settings }
        guard case .object = value else {
            sink.report("mcp", "expected an object such as {\"endpoint\": \"/mcp\"}, found \(value.kindName)")
            return settings
        }
        checkKeys(value, allowed: ["endpoint", "protocolVersion", "sessions"], at: "mcp", sink: &sink)
        if let endpoint = value["endpoint"], let url = pathOrURL(endpoint, base: base, at: "mcp.endpoint", example: "/mcp", sink: &sink) {
            settings.endpointURL = url
        }
        if let version = value["protocolVersion"] {
            let known = MCPSettings.sessionVersions + [MCPSettings.statelessVersion]
            if case let .string(text) = version, known.contains(text) {
                settings.protocolVersion = text
            } else {
                sink.report("mcp.protocolVersion", "expected one of \(known.joined(separator: ", "))")
            }
        }
        if let sessions = integer(value["sessions"], at: "mcp.sessions", sink: &sink) {
            if sessions < 1 { sink.report("mcp.sessions", "must be at least 1") }
            if settings.isStateless { sink.report("mcp.sessions", "the stateless era (2026-07-28) has no sessions") }
            settings.sessions = sessions
        }
        return settings
    }

    func a2aSettings(_ value: JSONValue?, target: String?, sink: inout DiagnosticSink) -> A2ASettings {
        var settings = A2ASettings()
        let base = Self.base(of: target)
        settings.cardURLs = [base + "/.well-known/agent-card.json", base + "/.well-known/agent.json"]
        guard let value else { return settings }
        guard case .object = value else {
            sink.report("a2a", "expected an object such as {\"version\": \"1.0\"}, found \(value.kindName)")
            return settings
        }
        checkKeys(value, allowed: ["card", "version", "endpoint", "allowedOrigins"], at: "a2a", sink: &sink)
        if let origins = value["allowedOrigins"] {
            if case let .array(items) = origins {
                for (index, item) in items.enumerated() {
                    if case let .string(text) = item, URLOrigin(text) != nil { settings.allowedOrigins.append(text) } else {
                        sink.report("a2a.allowedOrigins[\(index)]", "expected an http(s) origin such as \"https://agents.example:8443\"")
                    }
                }
            } else {
                sink.report("a2a.allowedOrigins", "expected a list of origins such as [\"https://agents.example:8443\"]")
            }
        }
        if let card = value["card"], let url = pathOrURL(card, base: base, at: "a2a.card", example: "/.well-known/agent-card.json", sink: &sink) {
            settings.cardURLs = [url]
        }
        if let version = value["version"] {
            if case let .string(text) = version, ["1.0", "0.3"].contains(text) { settings.version = text } else {
                sink.report("a2a.version", "expected \"1.0\" or \"0.3\"")
            }
        }
        if let endpoint = value["endpoint"], let url = pathOrURL(endpoint, base: base, at: "a2a.endpoint", example: "/a2a", sink: &sink) {
            settings.endpointURL = url
        }
        return settings
    }

    func protocolStep(_ value: JSONValue, kind: String, name: String, at path: String, target: String?,
                      defaultHeaders: [(String, Template)], timeout: Int64, mcp: MCPSettings,
                      secrets: inout [String], sink: inout DiagnosticSink) -> Step? {
        let specPath = "\(path).\(kind)"
        guard let spec = value[kind], case .object = spec else {
            sink.report(specPath, "expected an object")
            return nil
        }
        if value["expect"] != nil { sink.report(path + ".expect", "applies to plain requests only; \(kind) steps judge their protocol's own outcome") }
        var headers = defaultHeaders
        for (headerName, headerValue) in self.headers(spec["headers"], at: specPath + ".headers", secrets: &secrets, sink: &sink) {
            headers.removeAll { $0.0.lowercased() == headerName.lowercased() }
            headers.append((headerName, headerValue))
        }
        let needsTarget = target == nil
        switch kind {
        case "mcp":
            if needsTarget && !mcp.endpointURL.hasPrefix("http") { sink.report(specPath, "MCP steps need the scenario's \"target\" (or an absolute mcp.endpoint)") }
            checkKeys(spec, allowed: ["call", "method", "tool", "uri", "prompt", "arguments", "params", "expectError", "headers"], at: specPath, sink: &sink)
            guard let call = mcpCall(spec, at: specPath, sink: &sink) else { return nil }
            secrets += call.params.environmentValues
            return Step(name: name, method: "POST", url: Template(literal: mcp.endpointURL), headers: headers, body: nil,
                        expect: Expectation(), timeoutNanos: timeout, kind: .mcp(call))
        case "a2a":
            checkKeys(spec, allowed: ["send", "await", "timeout", "stream", "returnImmediately", "pollInterval", "headers"], at: specPath, sink: &sink)
            guard case let .string(text)? = spec["send"], let message = compile(text, at: specPath + ".send", sink: &sink) else {
                sink.report(specPath + ".send", "expected the message text to send, e.g. \"summarize ${uuid}\"")
                return nil
            }
            secrets += message.environmentValues
            var awaitState = "completed"
            if let state = spec["await"] {
                let states = ["completed", "failed", "canceled", "rejected", "input-required", "auth-required", "working", "submitted"]
                if case let .string(text) = state, states.contains(text) { awaitState = text } else {
                    sink.report(specPath + ".await", "expected one of \(states.joined(separator: ", "))")
                }
            }
            let awaitTimeout = duration(spec["timeout"], at: specPath + ".timeout", sink: &sink) ?? 60 * DurationText.nanosPerSecond
            let poll = duration(spec["pollInterval"], at: specPath + ".pollInterval", sink: &sink) ?? 200_000_000
            let stream = flag(spec["stream"], at: specPath + ".stream", sink: &sink)
            let immediate = flag(spec["returnImmediately"], at: specPath + ".returnImmediately", sink: &sink)
            return Step(name: name, method: "POST", url: Template(literal: ""), headers: headers, body: nil, expect: Expectation(),
                        timeoutNanos: timeout, kind: .a2a(A2ASend(text: message, awaitState: awaitState, timeoutNanos: awaitTimeout,
                                                                   stream: stream, returnImmediately: immediate, pollIntervalNanos: poll)))
        default:
            checkKeys(spec, allowed: ["submit", "statusPath", "statusUrl", "idPointer", "statePointer", "done", "failed", "pollInterval", "timeout", "headers"],
                      at: specPath, sink: &sink)
            guard let target else {
                sink.report(specPath, "workflow steps need the scenario's \"target\"")
                return nil
            }
            let base = Self.base(of: target)
            guard let submit = spec["submit"], case .object = submit else {
                sink.report(specPath + ".submit", "expected {\"path\": \"/api/v1/workflows\", \"json\": {...}}")
                return nil
            }
            checkKeys(submit, allowed: ["method", "path", "json", "body"], at: specPath + ".submit", sink: &sink)
            var submitMethod = "POST"
            if case let .string(text)? = submit["method"] { submitMethod = text.uppercased() }
            guard case let .string(submitPath)? = submit["path"], submitPath.hasPrefix("/"),
                  let submitTemplate = compile(submitPath, at: specPath + ".submit.path", sink: &sink) else {
                sink.report(specPath + ".submit.path", "expected a path starting with '/'")
                return nil
            }
            var body: Template?
            if let json = submit["json"] {
                body = compileJSON(json, at: specPath + ".submit.json", sink: &sink)
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                    headers.append(("Content-Type", Template(literal: "application/json")))
                }
            } else if case let .string(text)? = submit["body"] {
                body = compile(text, at: specPath + ".submit.body", sink: &sink)
            }
            if let body { secrets += body.environmentValues }
            guard case let .string(statusPath)? = spec["statusPath"], statusPath.hasPrefix("/") else {
                sink.report(specPath + ".statusPath", "expected a path with ${id}, such as \"/api/v1/workflows/${id}\"")
                return nil
            }
            // `${id}` is the submitted workflow's id: a capture of this step.
            guard let status = compile(statusPath.replacingOccurrences(of: "${id}", with: "${captured.id}"), at: specPath + ".statusPath", sink: &sink) else { return nil }
            let idPointer = pointer(spec["idPointer"], default: "/id", at: specPath + ".idPointer", sink: &sink)
            let statePointer = pointer(spec["statePointer"], default: "/status", at: specPath + ".statePointer", sink: &sink)
            let done = strings(spec["done"], default: ["completed"], at: specPath + ".done", sink: &sink)
            let failed = strings(spec["failed"], default: ["failed", "cancelled", "canceled"], at: specPath + ".failed", sink: &sink)
            let poll = duration(spec["pollInterval"], at: specPath + ".pollInterval", sink: &sink) ?? 500_000_000
            let workflowTimeout = duration(spec["timeout"], at: specPath + ".timeout", sink: &sink) ?? 300 * DurationText.nanosPerSecond
            let workflow = WorkflowSpec(submitMethod: submitMethod,
                                        submitURL: Template(segments: [.literal(base)] + submitTemplate.segments, environmentValues: []),
                                        submitBody: body, statusURL: Template(segments: [.literal(base)] + status.segments, environmentValues: []),
                                        idPointer: idPointer, statePointer: statePointer, done: done, failed: failed,
                                        pollIntervalNanos: poll, timeoutNanos: workflowTimeout)
            return Step(name: name, method: submitMethod, url: Template(literal: ""), headers: headers, body: nil, expect: Expectation(),
                        timeoutNanos: timeout, kind: .workflow(workflow))
        }
    }

    private func mcpCall(_ spec: JSONValue, at path: String, sink: inout DiagnosticSink) -> MCPCall? {
        let expectError = flag(spec["expectError"], at: path + ".expectError", sink: &sink)
        if case let .string(method)? = spec["method"] {
            let params = spec["params"] ?? .object([])
            guard case .object = params, let template = compileJSON(params, at: path + ".params", sink: &sink) else {
                sink.report(path + ".params", "expected an object")
                return nil
            }
            var name: String?
            if case let .string(text)? = params["name"] { name = text }
            return MCPCall(method: method, params: template, name: name, expectError: expectError)
        }
        guard case let .string(call)? = spec["call"] else {
            sink.report(path, "needs \"call\" (one of \(Self.mcpCalls.joined(separator: ", "))) or a raw \"method\"")
            return nil
        }
        guard Self.mcpCalls.contains(call) else {
            let hint = closestMatch(to: call, in: Self.mcpCalls).map { "; did you mean '\($0)'?" } ?? ""
            sink.report(path + ".call", "unknown call '\(call)'\(hint); use \"method\" for anything else")
            return nil
        }
        var params: [(key: String, value: JSONValue)] = []
        var name: String?
        switch call {
        case "tools/call":
            guard case let .string(tool)? = spec["tool"] else {
                sink.report(path + ".tool", "tools/call needs the tool's name")
                return nil
            }
            name = tool
            params = [("name", .string(tool)), ("arguments", spec["arguments"] ?? .object([]))]
        case "resources/read":
            guard case let .string(uri)? = spec["uri"] else {
                sink.report(path + ".uri", "resources/read needs a uri")
                return nil
            }
            name = uri
            params = [("uri", .string(uri))]
        case "prompts/get":
            guard case let .string(prompt)? = spec["prompt"] else {
                sink.report(path + ".prompt", "prompts/get needs the prompt's name")
                return nil
            }
            name = prompt
            params = [("name", .string(prompt)), ("arguments", spec["arguments"] ?? .object([]))]
        default:
            break
        }
        guard let template = compileJSON(.object(params), at: path + (spec["arguments"] != nil ? ".arguments" : ""), sink: &sink) else { return nil }
        return MCPCall(method: call, params: template, name: name, expectError: expectError)
    }

    /// The target without a trailing slash, ready to have paths appended.
    static func base(of target: String?) -> String {
        let text = target ?? ""
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// A path (joined to `base`) or an absolute http(s) URL; anything else is reported once.
    func pathOrURL(_ value: JSONValue, base: String, at path: String, example: String, sink: inout DiagnosticSink) -> String? {
        guard case let .string(text) = value else {
            sink.report(path, "expected a path such as \"\(example)\" or an absolute http(s) URL, found \(value.kindName)")
            return nil
        }
        if text.hasPrefix("/") { return base + text }
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return validateBaseURL(text, at: path, sink: &sink) ? text : nil
        }
        sink.report(path, "expected a path such as \"\(example)\" or an absolute http(s) URL")
        return nil
    }

    func captures(_ value: JSONValue?, at path: String, sink: inout DiagnosticSink) -> [(name: String, pointer: String)] {
        guard let value else { return [] }
        guard case let .object(members) = value else {
            sink.report(path, "expected an object mapping names to JSON Pointers, e.g. {\"taskId\": \"/result/task/id\"}")
            return []
        }
        var out: [(String, String)] = []
        for member in members {
            guard case let .string(pointer) = member.value, pointer.isEmpty || pointer.hasPrefix("/") else {
                sink.report("\(path).\(member.key)", "expected a JSON Pointer such as \"/id\"")
                continue
            }
            out.append((member.key, pointer))
        }
        return out
    }

    /// Every `${captured.X}` must be captured by an earlier step (or be a workflow's own `id`).
    func checkCaptures(_ steps: [Step], documentIndices: [Int], sink: inout DiagnosticSink) {
        var available: Set<String> = []
        for (index, step) in steps.enumerated() {
            var used = step.url.capturedNames + step.headers.flatMap { $0.value.capturedNames } + (step.body?.capturedNames ?? [])
            switch step.kind {
            case let .mcp(call): used += call.params.capturedNames
            case let .a2a(send): used += send.text.capturedNames
            case let .workflow(spec):
                used += spec.submitURL.capturedNames + (spec.submitBody?.capturedNames ?? [])
                used += spec.statusURL.capturedNames.filter { $0 != "id" }
            case .http: break
            }
            for name in Set(used) where !available.contains(name) {
                sink.report("steps[\(documentIndices[index])]", "uses ${captured.\(name)}, which no earlier step captures; add \"capture\": {\"\(name)\": \"/pointer\"} to an earlier step")
            }
            available.formUnion(step.capture.map(\.name))
        }
    }

    private func flag(_ value: JSONValue?, at path: String, sink: inout DiagnosticSink) -> Bool {
        guard let value else { return false }
        if case let .bool(flag) = value { return flag }
        sink.report(path, "expected true or false")
        return false
    }

    private func pointer(_ value: JSONValue?, default fallback: String, at path: String, sink: inout DiagnosticSink) -> String {
        guard let value else { return fallback }
        if case let .string(text) = value, text.isEmpty || text.hasPrefix("/") { return text }
        sink.report(path, "expected a JSON Pointer such as \"/id\"")
        return fallback
    }

    private func strings(_ value: JSONValue?, default fallback: [String], at path: String, sink: inout DiagnosticSink) -> [String] {
        guard let value else { return fallback }
        if case let .array(items) = value {
            let texts = items.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
            if texts.count == items.count, !texts.isEmpty { return texts }
        }
        sink.report(path, "expected a non-empty array of strings")
        return fallback
    }
}
