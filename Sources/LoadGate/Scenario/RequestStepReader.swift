/// Reading `steps`: each step's common fields, plain HTTP requests (method, path or URL, headers,
/// body), and captures. Protocol steps continue in `ProtocolStepLoader`.
extension ScenarioLoader {
    private static let stepKeys = ["name", "request", "mcp", "a2a", "workflow", "expect", "timeout", "once", "capture", "maxBodyBytes", "maxEventBytes"]
    private static let requestKeys = ["method", "path", "url", "headers", "body", "json"]
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The valid steps, and the names of every step the file has (valid or not), so that an SLO
    /// naming a step with an error is not reported a second time.
    func steps(_ value: JSONValue?, target: TargetState, defaults: StepDefaults, mcp: MCPSettings,
               _ r: FieldReader) -> (steps: [Step], names: [String]) {
        guard let value else {
            r.missing("steps", "missing; add at least one step, e.g. [{\"name\": \"health\", \"request\": {\"method\": \"GET\", \"path\": \"/health/live\"}}]")
            return ([], [])
        }
        guard let items = r.array(value, at: "steps", expected: "an array of steps") else { return ([], []) }
        if items.isEmpty { r.report("steps", "at least one step is required") }
        var steps: [Step] = []
        var names: [String] = []
        var available: Set<String> = []  // captured names offered by earlier steps (valid or not)
        for (index, item) in items.enumerated() {
            let path = "steps[\(index)]"
            if case let .string(name)? = item["name"] { names.append(name) }
            let step = self.step(item, at: path, target: target, defaults: defaults, mcp: mcp, r)
            if let step {
                if steps.contains(where: { $0.name == step.name }) {
                    r.report(path + ".name", "duplicate step name \"\(step.name)\"; step names must be unique")
                }
                checkCaptures(step, at: path, available: available, r)
                steps.append(step)
            }
            available.formUnion(item["capture"]?.objectMembers.map(\.key) ?? [])
        }
        if !steps.isEmpty, steps.count == items.count, steps.allSatisfy(\.once) {
            r.report("steps", "every step is \"once\"; at least one step must run in every iteration")
        }
        return (steps, names + steps.flatMap(\.phaseNames))
    }

    private func step(_ value: JSONValue, at path: String, target: TargetState, defaults: StepDefaults, mcp: MCPSettings,
                      _ r: FieldReader) -> Step? {
        guard r.object(value, at: path, expected: "an object with \"name\" and \"request\"") != nil else { return nil }
        r.checkKeys(value, allowed: Self.stepKeys, at: path)
        let name = r.string(value["name"], at: path + ".name", required: true, nonEmpty: true) ?? ""
        if name.contains(":") { r.report(path + ".name", "\"\(name)\" must not contain ':' (SLOs use it to name a step)") }
        let kinds = ["request", "mcp", "a2a", "workflow"].filter { value[$0] != nil }
        if kinds.count > 1 {
            r.report(path, "has \(kinds.map { "\"\($0)\"" }.joined(separator: " and ")); a step does one of request, mcp, a2a or workflow")
            return nil
        }
        let once = r.bool(value["once"], at: path + ".once") ?? false
        let capture = captures(value["capture"], at: path + ".capture", r)
        let timeout = r.duration(value["timeout"], at: path + ".timeout") ?? defaults.timeoutNanos
        let maxBodyBytes = r.integer(value["maxBodyBytes"], at: path + ".maxBodyBytes", in: 1...Step.maxBodyBytesCeiling)
        let maxEventBytes = r.integer(value["maxEventBytes"], at: path + ".maxEventBytes", in: 1...Step.maxBodyBytesCeiling)
        var step: Step?
        if let kind = kinds.first, kind != "request" {
            step = protocolStep(value, kind: kind, name: name, at: path, target: target, defaultHeaders: defaults.headers,
                                timeout: timeout, mcp: mcp, r)
        } else {
            step = requestStep(value, name: name, at: path, target: target, defaultHeaders: defaults.headers, timeout: timeout, r)
        }
        step?.once = once
        step?.capture = capture
        step?.maxBodyBytes = maxBodyBytes ?? Step.defaultMaxBodyBytes
        step?.maxEventBytes = maxEventBytes ?? Step.defaultMaxEventBytes
        return step
    }

    private func requestStep(_ value: JSONValue, name: String, at path: String, target: TargetState,
                             defaultHeaders: [(String, Template)], timeout: Int64, _ r: FieldReader) -> Step? {
        let requestPath = path + ".request"
        guard let request = value["request"] else {
            r.missing(requestPath, "missing; e.g. {\"method\": \"GET\", \"path\": \"/health/live\"} (or use \"mcp\", \"a2a\" or \"workflow\")")
            return nil
        }
        guard r.object(request, at: requestPath) != nil else { return nil }
        r.checkKeys(request, allowed: Self.requestKeys, at: requestPath)

        var method = "GET"
        if let methodValue = request["method"] {
            if case let .string(text) = methodValue, Self.methods.contains(text.uppercased()) {
                method = text.uppercased()
            } else {
                r.report(requestPath + ".method", "expected one of \(Self.methods.joined(separator: ", "))")
            }
        }
        let url = self.url(request, at: requestPath, target: target, r)
        var headers = merged(defaultHeaders, self.headers(request["headers"], at: requestPath + ".headers", r))
        let (body, isJSON) = self.body(request, at: requestPath, r)
        if isJSON, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.append(("Content-Type", Template(literal: "application/json")))
        }
        if body != nil, method == "GET" || method == "HEAD" {
            r.report(requestPath + ".method", "\(method) requests carry no body; use POST, PUT or PATCH")
        }
        var expectation = Expectation()
        if let expect = value["expect"] { expectation = self.expectation(expect, at: path + ".expect", r) }
        guard let url else { return nil }
        return Step(name: name, method: method, url: url, headers: headers, body: body, expect: expectation, timeoutNanos: timeout)
    }

    /// `path` (joined to the target) or an absolute `url`.
    private func url(_ request: JSONValue, at requestPath: String, target: TargetState, _ r: FieldReader) -> Template? {
        switch (request["path"], request["url"]) {
        case (.some, .some):
            r.report(requestPath, "has both \"path\" and \"url\"; use one")
        case let (pathValue?, nil):
            guard case let .string(text) = pathValue, text.hasPrefix("/") else {
                r.report(requestPath + ".path", "expected a string starting with '/', such as \"/health/live\"")
                return nil
            }
            guard let base = target.url else {
                if !target.isInvalid {
                    r.report(requestPath + ".path", "a relative path needs the scenario's \"target\" (or --target); or use an absolute \"url\"")
                }
                return nil
            }
            guard let template = r.template(text, at: requestPath + ".path", wire: true, secret: false) else { return nil }
            return Template(segments: [.literal(Self.base(of: base))] + template.segments, environmentValues: template.environmentValues)
        case let (nil, urlValue?):
            guard let text = r.string(urlValue, at: requestPath + ".url"),
                  let template = r.template(text, at: requestPath + ".url", wire: true, secret: false) else { return nil }
            r.addSecrets(Redaction.userInfo(of: template.staticText).map { [$0] } ?? [])
            let prefix = template.segments.first.flatMap { if case let .literal(text) = $0 { return text } else { return nil } } ?? ""
            let lower = prefix.lowercased()
            if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) {
                r.report(requestPath + ".url", "must start with http:// or https://")
                return nil
            }
            if template.isStatic, !validateBaseURL(template.staticText, at: requestPath + ".url", r) { return nil }
            return template
        case (nil, nil):
            r.report(requestPath, "needs \"path\" (joined to the target) or an absolute \"url\"")
        }
        return nil
    }

    /// `body` (text) or `json` (a document, sent with its numbers as written).
    private func body(_ request: JSONValue, at requestPath: String, _ r: FieldReader) -> (template: Template?, isJSON: Bool) {
        switch (request["body"], request["json"]) {
        case (.some, .some):
            r.report(requestPath, "has both \"body\" and \"json\"; use one")
        case let (bodyValue?, nil):
            guard let text = r.string(bodyValue, at: requestPath + ".body", expected: "a string (use \"json\" for a JSON object)") else { break }
            return (r.template(text, at: requestPath + ".body"), false)
        case let (nil, jsonValue?):
            return (compileJSON(jsonValue, at: requestPath + ".json", r), true)
        case (nil, nil): break
        }
        return (nil, false)
    }

    /// `defaults` overridden by `specific`, header names compared without case.
    func merged(_ defaults: [(String, Template)], _ specific: [(String, Template)]) -> [(String, Template)] {
        var headers = defaults
        for (name, value) in specific {
            headers.removeAll { $0.0.lowercased() == name.lowercased() }
            headers.append((name, value))
        }
        return headers
    }

    func headers(_ value: JSONValue?, at path: String, _ r: FieldReader) -> [(String, Template)] {
        guard let value = r.object(value, at: path, expected: "an object of header names to values") else { return [] }
        var out: [(String, Template)] = []
        for member in value.objectMembers {
            let headerPath = "\(path).\(member.key)"
            if !FieldReader.isHeaderName(member.key) {
                r.report(headerPath, "invalid header name: letters, digits and !#$%&'*+-.^_`|~ only")
                continue
            }
            // The body's framing is the engine's: a stated length that disagreed with the body
            // would hang the request (libcurl sends it as given) or be silently replaced.
            if ["content-length", "transfer-encoding"].contains(member.key.lowercased()) {
                r.report(headerPath, "is set by LoadGate from the body; remove it")
                continue
            }
            guard let text = r.string(member.value, at: headerPath), let template = r.template(text, at: headerPath, wire: true) else { continue }
            out.append((member.key, template))
        }
        return out
    }

    /// Compiles a JSON value into the template of its text: environment values and captured values
    /// are JSON-escaped so they cannot break the document; numbers keep their text.
    func compileJSON(_ value: JSONValue, at path: String, _ r: FieldReader) -> Template? {
        let text = JSONWriter.serialize(value, pretty: false, sortKeys: false)
        guard var template = r.template(text, at: path, escape: { value in
            var escaped = ""
            JSONWriter.writeString(value, into: &escaped)
            return String(escaped.dropFirst().dropLast())
        }) else { return nil }
        template.escapesCapturedForJSON = true
        return template
    }

    /// The target without a trailing slash, ready to have paths appended.
    static func base(of target: String?) -> String {
        let text = target ?? ""
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// A path (joined to `base`) or an absolute http(s) URL; anything else is reported once.
    func pathOrURL(_ value: JSONValue, base: String, at path: String, example: String, _ r: FieldReader) -> String? {
        guard case let .string(text) = value else {
            r.report(path, "expected a path such as \"\(example)\" or an absolute http(s) URL, found \(value.kindName)")
            return nil
        }
        if FieldReader.hasLineBreak(text) {
            r.report(path, "must not contain a line break (CR or LF): it would end the request line")
            return nil
        }
        if text.hasPrefix("/") { return base + text }
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return validateBaseURL(text, at: path, r) ? text : nil
        }
        r.report(path, "expected a path such as \"\(example)\" or an absolute http(s) URL")
        return nil
    }

    func captures(_ value: JSONValue?, at path: String, _ r: FieldReader) -> [(name: String, pointer: String)] {
        guard let value = r.object(value, at: path, expected: "an object mapping names to JSON Pointers, e.g. {\"taskId\": \"/result/task/id\"}")
        else { return [] }
        var out: [(String, String)] = []
        for member in value.objectMembers {
            guard case let .string(pointer) = member.value, pointer.isEmpty || pointer.hasPrefix("/") else {
                r.report("\(path).\(member.key)", "expected a JSON Pointer such as \"/id\"")
                continue
            }
            out.append((member.key, pointer))
        }
        return out
    }

    /// Every `${captured.X}` must be captured by an earlier step (or be a workflow's own `id`).
    private func checkCaptures(_ step: Step, at path: String, available: Set<String>, _ r: FieldReader) {
        var used = step.url.capturedNames + step.headers.flatMap { $0.value.capturedNames } + (step.body?.capturedNames ?? [])
        switch step.kind {
        case let .mcp(call): used += call.params.capturedNames
        case let .a2a(send): used += send.text.capturedNames
        case let .workflow(spec):
            used += spec.submitURL.capturedNames + (spec.submitBody?.capturedNames ?? [])
            used += spec.statusURL.capturedNames.filter { $0 != "id" }
        case .http: break
        }
        var reported: Set<String> = []
        for name in used where !available.contains(name) && reported.insert(name).inserted {
            r.report(path, "uses ${captured.\(name)}, which no earlier step captures; add \"capture\": {\"\(name)\": \"/pointer\"} to an earlier step")
        }
    }
}
