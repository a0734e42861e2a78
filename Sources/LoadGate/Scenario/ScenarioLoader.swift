import Foundation

/// Turns a scenario file into a `Scenario`, or into every problem it has, each located by file
/// and JSON path with a fix. Templates are compiled here against the given environment.
public struct ScenarioLoader {
    public let environment: [String: String]
    /// When true (for `validate`), an unset `${env.X}` is not an error: it is kept as text and
    /// listed in `Scenario.unsetEnvironment`.
    public let allowUnsetEnvironment: Bool
    private let unset = UnsetVariables()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, allowUnsetEnvironment: Bool = false) {
        self.environment = environment
        self.allowUnsetEnvironment = allowUnsetEnvironment
    }

    /// Collects names of unset variables met while compiling (lenient mode only).
    private final class UnsetVariables {
        var names: Set<String> = []
    }

    public func load(path: String, overrides: LoadOverrides = LoadOverrides()) throws(ValidationFailure) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw ValidationFailure([Diagnostic(file: path, path: "", message: reason)])
        }
        return try load(bytes: Array(data), file: path, overrides: overrides)
    }

    public func load(bytes: [UInt8], file: String, overrides: LoadOverrides = LoadOverrides()) throws(ValidationFailure) -> Scenario {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ValidationFailure([Diagnostic(file: file, path: "",
                                                message: "line \(error.line), column \(error.column): \(error.message)")])
        }
        unset.names.removeAll()
        var sink = DiagnosticSink(file: file)
        let scenario = decode(overrides.apply(to: document), sha256: SHA256.hex(bytes), sink: &sink)
        guard sink.isEmpty, let scenario else { throw ValidationFailure(sink.diagnostics) }
        return scenario
    }

    // MARK: - Document walk

    private static let topKeys = ["$schema", "name", "description", "target", "defaults", "load", "steps", "slos", "mcp", "a2a"]
    private static let defaultsKeys = ["headers", "timeout", "http", "tls"]
    private static let tlsKeys = ["insecure", "caFile", "certFile", "keyFile"]
    private static let loadKeys = ["vus", "iterations", "duration", "stages", "rate", "connections", "maxLateness", "tolerance"]
    private static let stepKeys = ["name", "request", "mcp", "a2a", "workflow", "expect", "timeout", "once", "capture", "maxBodyBytes"]
    private static let requestKeys = ["method", "path", "url", "headers", "body", "json"]
    private static let expectKeys = ["status", "bodyContains", "json"]
    private static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private func decode(_ document: JSONValue, sha256: String, sink: inout DiagnosticSink) -> Scenario? {
        guard case .object = document else {
            sink.report("", "a scenario must be a JSON object, found \(document.kindName)")
            return nil
        }
        checkKeys(document, allowed: Self.topKeys, at: "", sink: &sink)
        var secrets: [String] = []

        let name = requiredString(document, "name", at: "", sink: &sink) ?? ""
        if !name.isEmpty, name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) == nil {
            sink.report("name", "\"\(name)\" must be 1-64 letters, digits, '.', '_' or '-' (it names the run folder)")
        }

        var target: String?
        if let value = document["target"] {
            if case let .string(text) = value {
                switch compile(text, at: "target", sink: &sink) {
                case let template? where template.isStatic:
                    if allowUnsetEnvironment, template.staticText.contains("${env.") {
                        target = template.staticText  // validating without the environment: the URL is checked at run time
                    } else if validateBaseURL(template.staticText, at: "target", sink: &sink) {
                        target = template.staticText
                    }
                case .some:
                    sink.report("target", "the target cannot use ${vu}, ${iteration}, ${uuid} or ${now}")
                case nil: break
                }
            } else {
                sink.report("target", "expected a string such as \"http://127.0.0.1:8080\", found \(value.kindName)")
            }
        }

        // defaults
        var defaultHeaders: [(String, Template)] = []
        var defaultTimeout: Int64 = 10 * DurationText.nanosPerSecond
        var http = HTTPVersion.http1_1
        var tls = TLSOptions()
        if let defaults = document["defaults"] {
            if case .object = defaults {
                checkKeys(defaults, allowed: Self.defaultsKeys, at: "defaults", sink: &sink)
                defaultHeaders = headers(defaults["headers"], at: "defaults.headers", secrets: &secrets, sink: &sink)
                if let timeout = duration(defaults["timeout"], at: "defaults.timeout", sink: &sink) { defaultTimeout = timeout }
                if let value = defaults["http"] {
                    if case let .string(text) = value, let version = HTTPVersion(rawValue: text) {
                        http = version
                    } else {
                        sink.report("defaults.http", "expected \"1.1\" or \"2\"")
                    }
                }
                if let value = defaults["tls"] { tls = tlsOptions(value, at: "defaults.tls", sink: &sink) }
            } else {
                sink.report("defaults", "expected an object, found \(defaults.kindName)")
            }
        }
        if http == .http2, let target, target.lowercased().hasPrefix("http://") {
            sink.report("defaults.http", "HTTP/2 needs an https:// target: cleartext h2c with prior knowledge is broken in libcurl 7.88 (curl issue 10634); use \"1.1\" or an https target")
        }

        let load = loadModel(document["load"], sink: &sink)
        let mcp = mcpSettings(document["mcp"], target: target, sink: &sink)
        let a2a = a2aSettings(document["a2a"], target: target, sink: &sink)

        // steps
        var steps: [Step] = []
        var stepIndices: [Int] = []  // each valid step's index in the document, for locations
        if let value = document["steps"] {
            if case let .array(items) = value {
                if items.isEmpty { sink.report("steps", "at least one step is required") }
                for (index, item) in items.enumerated() {
                    if let step = self.step(item, at: "steps[\(index)]", target: target, defaultHeaders: defaultHeaders,
                                            defaultTimeout: defaultTimeout, mcp: mcp, secrets: &secrets, sink: &sink) {
                        if steps.contains(where: { $0.name == step.name }) {
                            sink.report("steps[\(index)].name", "duplicate step name \"\(step.name)\"; step names must be unique")
                        }
                        steps.append(step)
                        stepIndices.append(index)
                    }
                }
            } else {
                sink.report("steps", "expected an array of steps, found \(value.kindName)")
            }
        } else {
            sink.report("steps", "missing; add at least one step, e.g. [{\"name\": \"health\", \"request\": {\"method\": \"GET\", \"path\": \"/health/live\"}}]")
        }

        // SLOs
        var slos: [SLOExpression] = []
        var slosAreDefaults = false
        if let value = document["slos"] {
            if case let .array(items) = value {
                for (index, item) in items.enumerated() {
                    let path = "slos[\(index)]"
                    guard case let .string(text) = item else {
                        sink.report(path, "expected a string such as \"p95 < 2s\", found \(item.kindName)")
                        continue
                    }
                    switch SLOExpression.parse(text) {
                    case let .success(slo):
                        let metricNames = steps.map(\.name) + steps.flatMap(\.phaseNames)
                        if let step = slo.step, !metricNames.contains(step) {
                            let hint = closestMatch(to: step, in: metricNames).map { "; did you mean '\($0)'?" } ?? ""
                            sink.report(path, "\"\(text)\" names step '\(step)', which the scenario does not have\(hint)")
                        }
                        slos.append(slo)
                    case let .failure(error):
                        sink.report(path, "\"\(text)\" at character \(error.column): \(error.message)")
                    }
                }
            } else {
                sink.report("slos", "expected an array of strings such as [\"p95 < 2s\"], found \(value.kindName)")
            }
        }
        if document["slos"] == nil {
            slos = SLOExpression.defaults.map { try! SLOExpression.parse($0).get() }
            slosAreDefaults = true
        }

        checkCaptures(steps, documentIndices: stepIndices, sink: &sink)
        if !steps.isEmpty, steps.allSatisfy(\.once) {
            sink.report("steps", "every step is \"once\"; at least one step must run in every iteration")
        }
        guard sink.isEmpty, let load else { return nil }
        var scenario = Scenario(name: name, target: target, load: load, steps: steps, slos: slos, slosAreDefaults: slosAreDefaults,
                                tls: tls, httpVersion: http, sha256: sha256,
                                secretValues: Array(Set(secrets)).filter { !$0.hasPrefix("${env.") },
                                unsetEnvironment: unset.names.sorted())
        scenario.mcp = mcp
        scenario.a2a = a2a
        return scenario
    }

    // MARK: - Load model

    private func loadModel(_ value: JSONValue?, sink: inout DiagnosticSink) -> LoadModel? {
        guard let value else {
            sink.report("load", "missing; e.g. {\"rate\": 100, \"duration\": \"30s\"} (open model) or {\"vus\": 10, \"duration\": \"30s\"} (closed model)")
            return nil
        }
        guard case .object = value else {
            sink.report("load", "expected an object, found \(value.kindName)")
            return nil
        }
        checkKeys(value, allowed: Self.loadKeys, at: "load", sink: &sink)
        let stagesValue = value["stages"]
        var stageItems: [JSONValue] = []
        if let stagesValue {
            if case let .array(items) = stagesValue, !items.isEmpty { stageItems = items } else {
                sink.report("load.stages", "expected a non-empty array of {\"duration\": ..., \"vus\" | \"rate\": ...}")
            }
        }
        let stagesAreOpen = stageItems.contains { $0["rate"] != nil }
        let stagesAreClosed = stageItems.contains { $0["vus"] != nil }
        let isOpen = value["rate"] != nil || stagesAreOpen
        let isClosed = value["vus"] != nil || value["iterations"] != nil || stagesAreClosed
        if isOpen && isClosed {
            sink.report("load", "mixes the open model (rate) and the closed model (vus/iterations); choose one")
            return nil
        }
        if !isOpen && !isClosed {
            sink.report("load", "needs \"rate\" (open model: iterations started per second) or \"vus\" (closed model: virtual users)")
            return nil
        }
        let durationNanos = duration(value["duration"], at: "load.duration", sink: &sink)
        if let durationNanos, durationNanos <= 0 { sink.report("load.duration", "must be greater than 0") }

        if isOpen {
            let rate = number(value["rate"], at: "load.rate", sink: &sink) ?? 0
            if value["rate"] != nil, rate <= 0, stageItems.isEmpty { sink.report("load.rate", "must be greater than 0") }
            if rate < 0 { sink.report("load.rate", "must not be negative") }
            var stages: [OpenLoad.Stage] = []
            for (index, item) in stageItems.enumerated() {
                let path = "load.stages[\(index)]"
                checkKeys(item, allowed: ["duration", "rate"], at: path, sink: &sink)
                guard let stageDuration = duration(item["duration"], at: path + ".duration", sink: &sink, required: true),
                      let stageRate = number(item["rate"], at: path + ".rate", sink: &sink, required: true) else { continue }
                if stageDuration <= 0 { sink.report(path + ".duration", "must be greater than 0") }
                if stageRate < 0 { sink.report(path + ".rate", "must not be negative") }
                stages.append(OpenLoad.Stage(durationNanos: stageDuration, rate: stageRate))
            }
            let total: Int64
            if stages.isEmpty {
                guard let durationNanos else {
                    sink.report("load.duration", "missing; an open-model run needs a duration such as \"30s\" (or stages)")
                    return nil
                }
                total = durationNanos
            } else {
                if value["duration"] != nil { sink.report("load.duration", "not allowed with stages; the stages' durations add up to the run length") }
                total = stages.reduce(0) { $0 + $1.durationNanos }
            }
            let connections = integer(value["connections"], at: "load.connections", sink: &sink) ?? OpenLoad.defaultConnections
            if connections < 1 || connections > 100_000 { sink.report("load.connections", "must be between 1 and 100000") }
            let maxLateness = duration(value["maxLateness"], at: "load.maxLateness", sink: &sink) ?? OpenLoad.defaultMaxLatenessNanos
            var tolerance = OpenLoad.defaultTolerancePercent
            if let toleranceValue = value["tolerance"] {
                if case let .string(text) = toleranceValue, text.hasSuffix("%"), let number = Double(text.dropLast()), (0...100).contains(number) {
                    tolerance = number
                } else {
                    sink.report("load.tolerance", "expected a percentage string such as \"5%\"")
                }
            }
            return .open(OpenLoad(rate: rate, durationNanos: total, stages: stages, connections: connections,
                                  maxLatenessNanos: maxLateness, tolerancePercent: tolerance))
        }

        if value["connections"] != nil { sink.report("load.connections", "only applies to the open model; in the closed model each VU has its own connection") }
        let vus = integer(value["vus"], at: "load.vus", sink: &sink) ?? (stageItems.isEmpty ? 1 : 0)
        if vus < 0 || vus > 100_000 || (vus == 0 && stageItems.isEmpty) { sink.report("load.vus", "must be between 1 and 100000") }
        let iterations = integer(value["iterations"], at: "load.iterations", sink: &sink)
        if let iterations, iterations < 1 { sink.report("load.iterations", "must be at least 1") }
        var stages: [ClosedLoad.Stage] = []
        for (index, item) in stageItems.enumerated() {
            let path = "load.stages[\(index)]"
            checkKeys(item, allowed: ["duration", "vus"], at: path, sink: &sink)
            guard let stageDuration = duration(item["duration"], at: path + ".duration", sink: &sink, required: true),
                  let stageVUs = integer(item["vus"], at: path + ".vus", sink: &sink, required: true) else { continue }
            if stageDuration <= 0 { sink.report(path + ".duration", "must be greater than 0") }
            if stageVUs < 0 || stageVUs > 100_000 { sink.report(path + ".vus", "must be between 0 and 100000") }
            stages.append(ClosedLoad.Stage(durationNanos: stageDuration, vus: stageVUs))
        }
        let total: Int64
        if !stages.isEmpty {
            if iterations != nil { sink.report("load.iterations", "not allowed with stages") }
            if value["duration"] != nil { sink.report("load.duration", "not allowed with stages; the stages' durations add up to the run length") }
            total = stages.reduce(0) { $0 + $1.durationNanos }
        } else if let durationNanos {
            total = durationNanos
        } else if iterations != nil {
            total = 600 * DurationText.nanosPerSecond
        } else {
            sink.report("load", "a closed-model run needs \"duration\" or \"iterations\" (or stages)")
            return nil
        }
        return .closed(ClosedLoad(vus: vus, durationNanos: total, iterations: iterations, stages: stages))
    }

    // MARK: - Steps

    private func step(_ value: JSONValue, at path: String, target: String?, defaultHeaders: [(String, Template)],
                      defaultTimeout: Int64, mcp: MCPSettings, secrets: inout [String], sink: inout DiagnosticSink) -> Step? {
        guard case .object = value else {
            sink.report(path, "expected an object with \"name\" and \"request\", found \(value.kindName)")
            return nil
        }
        checkKeys(value, allowed: Self.stepKeys, at: path, sink: &sink)
        let name = requiredString(value, "name", at: path, sink: &sink) ?? ""
        if name.contains(":") { sink.report(path + ".name", "\"\(name)\" must not contain ':' (SLOs use it to name a step)") }
        let kinds = ["request", "mcp", "a2a", "workflow"].filter { value[$0] != nil }
        if kinds.count > 1 {
            sink.report(path, "has \(kinds.map { "\"\($0)\"" }.joined(separator: " and ")); a step does one of request, mcp, a2a or workflow")
            return nil
        }
        var once = false
        if let onceValue = value["once"] {
            if case let .bool(flag) = onceValue { once = flag } else { sink.report(path + ".once", "expected true or false") }
        }
        let capture = captures(value["capture"], at: path + ".capture", sink: &sink)
        let timeout = duration(value["timeout"], at: path + ".timeout", sink: &sink) ?? defaultTimeout
        var maxBodyBytes = Step.defaultMaxBodyBytes
        if let limit = integer(value["maxBodyBytes"], at: path + ".maxBodyBytes", sink: &sink) {
            if (1...Step.maxBodyBytesCeiling).contains(limit) { maxBodyBytes = limit } else {
                sink.report(path + ".maxBodyBytes", "must be from 1 to \(Step.maxBodyBytesCeiling) bytes")
            }
        }
        if kinds.first != nil && kinds.first != "request" {
            guard var step = protocolStep(value, kind: kinds[0], name: name, at: path, target: target, defaultHeaders: defaultHeaders,
                                          timeout: timeout, mcp: mcp, secrets: &secrets, sink: &sink) else { return nil }
            step.once = once
            step.capture = capture
            step.maxBodyBytes = maxBodyBytes
            return step
        }
        guard let request = value["request"] else {
            sink.report(path + ".request", "missing; e.g. {\"method\": \"GET\", \"path\": \"/health/live\"} (or use \"mcp\", \"a2a\" or \"workflow\")")
            return nil
        }
        let requestPath = path + ".request"
        guard case .object = request else {
            sink.report(requestPath, "expected an object, found \(request.kindName)")
            return nil
        }
        checkKeys(request, allowed: Self.requestKeys, at: requestPath, sink: &sink)

        var method = "GET"
        if let methodValue = request["method"] {
            if case let .string(text) = methodValue, Self.methods.contains(text.uppercased()) {
                method = text.uppercased()
            } else {
                sink.report(requestPath + ".method", "expected one of \(Self.methods.joined(separator: ", "))")
            }
        }

        var url: Template?
        switch (request["path"], request["url"]) {
        case (.some, .some):
            sink.report(requestPath, "has both \"path\" and \"url\"; use one")
        case let (pathValue?, nil):
            guard case let .string(text) = pathValue, text.hasPrefix("/") else {
                sink.report(requestPath + ".path", "expected a string starting with '/', such as \"/health/live\"")
                break
            }
            guard let target else {
                sink.report(requestPath + ".path", "a relative path needs the scenario's \"target\" (or --target); or use an absolute \"url\"")
                break
            }
            if let template = compile(text, at: requestPath + ".path", sink: &sink) {
                let base = Self.base(of: target)
                url = Template(segments: [.literal(base)] + template.segments, environmentValues: template.environmentValues)
            }
        case let (nil, urlValue?):
            guard case let .string(text) = urlValue else {
                sink.report(requestPath + ".url", "expected a string, found \(urlValue.kindName)")
                break
            }
            if let template = compile(text, at: requestPath + ".url", sink: &sink) {
                secrets += Redaction.userInfo(of: template.staticText).map { [$0] } ?? []
                let prefix = template.segments.first.flatMap { if case let .literal(text) = $0 { return text } else { return nil } } ?? ""
                let lower = prefix.lowercased()
                if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) {
                    sink.report(requestPath + ".url", "must start with http:// or https://")
                } else if template.isStatic {
                    _ = validateBaseURL(template.staticText, at: requestPath + ".url", sink: &sink)
                }
                url = template
            }
        case (nil, nil):
            sink.report(requestPath, "needs \"path\" (joined to the target) or an absolute \"url\"")
        }

        var headers = defaultHeaders
        for (headerName, headerValue) in self.headers(request["headers"], at: requestPath + ".headers", secrets: &secrets, sink: &sink) {
            headers.removeAll { $0.0.lowercased() == headerName.lowercased() }
            headers.append((headerName, headerValue))
        }

        var body: Template?
        switch (request["body"], request["json"]) {
        case (.some, .some):
            sink.report(requestPath, "has both \"body\" and \"json\"; use one")
        case let (bodyValue?, nil):
            if case let .string(text) = bodyValue {
                body = compile(text, at: requestPath + ".body", sink: &sink)
            } else {
                sink.report(requestPath + ".body", "expected a string (use \"json\" for a JSON object)")
            }
        case let (nil, jsonValue?):
            body = compileJSON(jsonValue, at: requestPath + ".json", sink: &sink)
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", Template(literal: "application/json")))
            }
        case (nil, nil): break
        }
        if let body { secrets += body.environmentValues }
        if body != nil, method == "GET" || method == "HEAD" {
            sink.report(requestPath + ".method", "\(method) requests carry no body; use POST, PUT or PATCH")
        }

        var expectation = Expectation()
        if let expect = value["expect"] {
            expectation = self.expectation(expect, at: path + ".expect", sink: &sink)
        }
        if timeout <= 0 { sink.report(path + ".timeout", "must be greater than 0") }

        guard let url else { return nil }
        var step = Step(name: name, method: method, url: url, headers: headers, body: body, expect: expectation, timeoutNanos: timeout)
        step.once = once
        step.capture = capture
        step.maxBodyBytes = maxBodyBytes
        return step
    }

    func expectation(_ value: JSONValue, at path: String, sink: inout DiagnosticSink) -> Expectation {
        var expectation = Expectation()
        guard case .object = value else {
            sink.report(path, "expected an object, found \(value.kindName)")
            return expectation
        }
        checkKeys(value, allowed: Self.expectKeys, at: path, sink: &sink)
        if let status = value["status"] {
            if case let .array(items) = status, !items.isEmpty {
                var codes: [Int] = []
                for (index, item) in items.enumerated() {
                    if case let .number(number) = item, number == number.rounded(), (100...599).contains(number) {
                        codes.append(Int(number))
                    } else {
                        sink.report("\(path).status[\(index)]", "expected an HTTP status code between 100 and 599")
                    }
                }
                expectation.status = codes
            } else {
                sink.report(path + ".status", "expected a non-empty array of status codes such as [200]")
            }
        }
        if let contains = value["bodyContains"] {
            switch contains {
            case let .string(text): expectation.bodyContains = [text]
            case let .array(items):
                for (index, item) in items.enumerated() {
                    if case let .string(text) = item { expectation.bodyContains.append(text) } else {
                        sink.report("\(path).bodyContains[\(index)]", "expected a string")
                    }
                }
            default: sink.report(path + ".bodyContains", "expected a string or an array of strings")
            }
        }
        if let json = value["json"] {
            if case let .object(members) = json {
                for member in members {
                    if !member.key.isEmpty && !member.key.hasPrefix("/") {
                        sink.report("\(path).json", "\"\(member.key)\" is not a JSON Pointer; write \"/\(member.key)\"")
                    }
                    expectation.json.append((member.key, member.value))
                }
            } else {
                sink.report(path + ".json", "expected an object mapping JSON Pointers to expected values, e.g. {\"/status\": \"ok\"}")
            }
        }
        return expectation
    }

    // MARK: - Field helpers

    func checkKeys(_ value: JSONValue, allowed: [String], at path: String, sink: inout DiagnosticSink) {
        guard case let .object(members) = value else { return }
        for member in members where !allowed.contains(member.key) {
            let keyPath = path.isEmpty ? member.key : "\(path).\(member.key)"
            let hint = closestMatch(to: member.key, in: allowed).map { "; did you mean '\($0)'?" } ?? "; allowed: \(allowed.joined(separator: ", "))"
            sink.report(keyPath, "unknown key\(hint)")
        }
    }

    func requiredString(_ object: JSONValue, _ key: String, at path: String, sink: inout DiagnosticSink) -> String? {
        let keyPath = path.isEmpty ? key : "\(path).\(key)"
        guard let value = object[key] else {
            sink.report(keyPath, "missing")
            return nil
        }
        guard case let .string(text) = value, !text.isEmpty else {
            sink.report(keyPath, "expected a non-empty string, found \(value.kindName)")
            return nil
        }
        return text
    }

    func duration(_ value: JSONValue?, at path: String, sink: inout DiagnosticSink, required: Bool = false) -> Int64? {
        guard let value else {
            if required { sink.report(path, "missing") }
            return nil
        }
        guard case let .string(text) = value else {
            if case let .number(number) = value {
                sink.report(path, "\(JSONWriter.format(number)) has no unit; write \"\(JSONWriter.format(number))s\" or \"\(JSONWriter.format(number))ms\"")
            } else {
                sink.report(path, "expected a duration string such as \"30s\", found \(value.kindName)")
            }
            return nil
        }
        guard let nanos = DurationText.parseNanos(text) else {
            if Double(text) != nil {
                sink.report(path, "\"\(text)\" has no unit; write \"\(text)s\" or \"\(text)ms\"")
            } else {
                sink.report(path, "\"\(text)\" is not a duration; use e.g. \"500ms\", \"30s\", \"1m30s\"")
            }
            return nil
        }
        return nanos
    }

    func number(_ value: JSONValue?, at path: String, sink: inout DiagnosticSink, required: Bool = false) -> Double? {
        guard let value else {
            if required { sink.report(path, "missing") }
            return nil
        }
        guard case let .number(number) = value else {
            sink.report(path, "expected a number, found \(value.kindName)")
            return nil
        }
        return number
    }

    func integer(_ value: JSONValue?, at path: String, sink: inout DiagnosticSink, required: Bool = false) -> Int? {
        guard let number = number(value, at: path, sink: &sink, required: required) else { return nil }
        guard number == number.rounded(), abs(number) < 1e15 else {
            sink.report(path, "expected a whole number, found \(JSONWriter.format(number))")
            return nil
        }
        return Int(number)
    }

    func headers(_ value: JSONValue?, at path: String, secrets: inout [String], sink: inout DiagnosticSink) -> [(String, Template)] {
        guard let value else { return [] }
        guard case let .object(members) = value else {
            sink.report(path, "expected an object of header names to values, found \(value.kindName)")
            return []
        }
        var out: [(String, Template)] = []
        for member in members {
            let headerPath = "\(path).\(member.key)"
            if member.key.isEmpty || member.key.contains(where: { $0 == ":" || $0 == " " || $0 == "\r" || $0 == "\n" }) {
                sink.report(headerPath, "invalid header name")
                continue
            }
            guard case let .string(text) = member.value else {
                sink.report(headerPath, "expected a string, found \(member.value.kindName)")
                continue
            }
            if let template = compile(text, at: headerPath, sink: &sink) {
                if template.segments.contains(where: { if case let .literal(l) = $0 { return l.contains("\r") || l.contains("\n") } else { return false } }) {
                    sink.report(headerPath, "header values must not contain line breaks")
                    continue
                }
                secrets += template.environmentValues
                out.append((member.key, template))
            }
        }
        return out
    }

    private func tlsOptions(_ value: JSONValue, at path: String, sink: inout DiagnosticSink) -> TLSOptions {
        var options = TLSOptions()
        guard case .object = value else {
            sink.report(path, "expected an object, found \(value.kindName)")
            return options
        }
        checkKeys(value, allowed: Self.tlsKeys, at: path, sink: &sink)
        if let insecure = value["insecure"] {
            if case let .bool(flag) = insecure { options.insecure = flag } else { sink.report(path + ".insecure", "expected true or false") }
        }
        for (key, keyPath) in [("caFile", \TLSOptions.caFile), ("certFile", \TLSOptions.certFile), ("keyFile", \TLSOptions.keyFile)] {
            guard let item = value[key] else { continue }
            guard case let .string(text) = item, let template = compile(text, at: "\(path).\(key)", sink: &sink), template.isStatic else {
                sink.report("\(path).\(key)", "expected a file path")
                continue
            }
            let file = template.staticText
            if !FileManager.default.isReadableFile(atPath: file) {
                sink.report("\(path).\(key)", "\(file): no such readable file")
            }
            options[keyPath: keyPath] = file
        }
        if (options.certFile == nil) != (options.keyFile == nil) {
            sink.report(path, "certFile and keyFile go together (client certificate for mTLS)")
        }
        return options
    }

    func compile(_ text: String, at path: String, sink: inout DiagnosticSink,
                         escape: @escaping (String) -> String = { $0 }) -> Template? {
        let lookup: (String) -> String? = { [environment, allowUnsetEnvironment, unset] name in
            if let value = environment[name] { return value }
            guard allowUnsetEnvironment else { return nil }
            unset.names.insert(name)
            return "${env.\(name)}"
        }
        switch Template.compile(text, environment: lookup, escape: escape) {
        case let .success(template): return template
        case let .failure(error):
            sink.report(path, error.message)
            return nil
        }
    }

    /// Compiles a JSON value into the template of its text: environment values and captured values
    /// are JSON-escaped so they cannot break the document.
    func compileJSON(_ value: JSONValue, at path: String, sink: inout DiagnosticSink) -> Template? {
        let text = JSONWriter.serialize(value, pretty: false, sortKeys: false)
        guard var template = compile(text, at: path, sink: &sink, escape: { value in
            var escaped = ""
            JSONWriter.writeString(value, into: &escaped)
            return String(escaped.dropFirst().dropLast())
        }) else { return nil }
        template.escapesCapturedForJSON = true
        return template
    }

    /// Checks that `text` is an absolute http(s) URL with a host; reports and returns false if not.
    @discardableResult
    func validateBaseURL(_ text: String, at path: String, sink: inout DiagnosticSink) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            sink.report(path, "\"\(Redaction.url(text))\" is not an absolute http:// or https:// URL")
            return false
        }
        return true
    }
}
