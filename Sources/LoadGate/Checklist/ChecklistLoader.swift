import Foundation

/// Turns a checklist file into a `Checklist` or into every problem it has, located by JSON path.
/// `${env.X}` in any string parameter is resolved here (unset: an error, as in scenarios; every
/// unset variable of the file is reported in one run). Fields are read through `FieldReader`.
///
/// Declaring a new item field: add its key to the kind's `p.allow([...])` list in `spec`, read it
/// with the typed accessor that fits (`p.string`, `p.int(_:in:)`, `p.port`, `p.bool`,
/// `p.duration`, `p.file`, `p.strings`, `p.object`), and pass it to the kind's spec type.
public struct ChecklistLoader {
    public let environment: [String: String]
    /// When true (for `validate`), an unset `${env.X}` is kept as text instead of being an error.
    public let allowUnsetEnvironment: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, allowUnsetEnvironment: Bool = false) {
        self.environment = environment
        self.allowUnsetEnvironment = allowUnsetEnvironment
    }

    static let topKeys = ["$schema", "name", "description", "sections"]
    static let itemKeys = ["id", "title", "severity", "tags", "refs", "kind", "params", "timeout", "retry", "description"]
    static let kinds = ["tcp", "vpn", "dns", "tls", "http", "secrets", "redis", "prometheus", "command", "manual"]

    public func load(path: String) throws(ValidationFailure) -> Checklist {
        try load(bytes: try InputFile.read(path), file: path)
    }

    public func load(bytes: [UInt8], file: String) throws(ValidationFailure) -> Checklist {
        let document = try InputFile.parse(bytes, file: file)
        let r = FieldReader(file: file, environment: environment, unsetPolicy: allowUnsetEnvironment ? .keepAsText : .error)
        guard case .object = document else {
            throw ValidationFailure([Diagnostic(file: file, path: "", message: "a checklist must be a JSON object, found \(document.kindName)")])
        }
        r.checkKeys(document, allowed: Self.topKeys, at: "")
        let name = r.string(document["name"], at: "name", required: true, nonEmpty: true) ?? "checklist"
        var items: [ChecklistItem] = []
        var seen: Set<String> = []
        if document["sections"] == nil { r.missing("sections", "missing; an object of sections, e.g. {\"infrastructure\": [ ... ]}") }
        if let sections = r.object(document["sections"], at: "sections", expected: "an object of sections, e.g. {\"infrastructure\": [ ... ]}") {
            if sections.objectMembers.isEmpty { r.report("sections", "has no sections; add e.g. {\"infrastructure\": [ ... ]}") }
            for section in sections.objectMembers {
                guard let entries = r.array(section.value, at: "sections.\(section.key)", expected: "an array of items") else { continue }
                for (index, entry) in entries.enumerated() {
                    let at = "sections.\(section.key)[\(index)]"
                    guard let item = item(entry, section: section.key, at: at, r) else { continue }
                    if !seen.insert(item.id).inserted { r.report(at + ".id", "duplicate id \"\(item.id)\"") }
                    items.append(item)
                }
            }
        }
        guard r.isEmpty else { throw ValidationFailure(r.diagnostics) }
        return Checklist(name: name, items: items, sha256: SHA256.hex(bytes), secretValues: Array(Set(r.secrets)),
                         unsetEnvironment: r.unsetNames.sorted())
    }

    private func item(_ value: JSONValue, section: String, at path: String, _ r: FieldReader) -> ChecklistItem? {
        guard r.object(value, at: path, expected: "an object with id, title, severity, kind and params") != nil else { return nil }
        let before = r.problemCount
        r.checkKeys(value, allowed: Self.itemKeys, at: path)
        let id = r.string(value["id"], at: path + ".id", nonEmpty: true)
        if value["id"] == nil { r.missing(path + ".id", "missing; a stable id such as \"vpn-connectivity\"") }
        let title = r.string(value["title"], at: path + ".title")
        let severity = r.choice(value["severity"], at: path + ".severity", from: Severity.allCases.map(\.rawValue),
                                message: "expected one of critical, high, medium, low").flatMap(Severity.init(rawValue:)) ?? .medium
        let tags = r.strings(value["tags"], at: path + ".tags", allowEmpty: true) ?? []
        let refs = r.strings(value["refs"], at: path + ".refs", allowEmpty: true) ?? []
        let timeout = r.duration(value["timeout"], at: path + ".timeout") ?? 10 * DurationText.nanosPerSecond
        var retryTimeout: Int64 = 0
        var retryInterval: Int64 = DurationText.nanosPerSecond
        if let retry = r.object(value["retry"], at: path + ".retry") {
            r.checkKeys(retry, allowed: ["timeout", "interval"], at: path + ".retry")
            retryTimeout = r.duration(retry["timeout"], at: path + ".retry.timeout", in: 0...Limits.timeoutNanos.upperBound, required: true) ?? 0
            retryInterval = r.duration(retry["interval"], at: path + ".retry.interval") ?? retryInterval
        }
        guard case let .string(kind)? = value["kind"], Self.kinds.contains(kind) else {
            let got: String
            if case let .string(text)? = value["kind"] { got = text } else { got = "" }
            let hint = closestMatch(to: got, in: Self.kinds).map { "; did you mean '\($0)'?" } ?? ""
            r.report(path + ".kind", "expected one of \(Self.kinds.joined(separator: ", "))\(hint)")
            return nil
        }
        let params = Params(value: value["params"] ?? .object([]), path: path + ".params", reader: r)
        let check = spec(kind, params)
        if case let .secrets(secret) = check, let env = secret.env, let value = environment[env], !value.isEmpty { r.addSecrets([value]) }
        if case let .redis(redis) = check, let env = redis.passwordEnv, let value = environment[env], !value.isEmpty { r.addSecrets([value]) }
        guard let id, let check, r.problemCount == before else { return nil }
        return ChecklistItem(id: id, title: title ?? id, section: section, severity: severity, tags: tags, refs: refs, check: check,
                             timeoutNanos: timeout, retryTimeoutNanos: retryTimeout, retryIntervalNanos: retryInterval)
    }

    /// Each kind reads every one of its parameters before giving up, so that all problems of an
    /// item (every unset variable, every bad value) are reported in one run.
    private func spec(_ kind: String, _ p: Params) -> CheckSpec? {
        switch kind {
        case "tcp":
            p.allow(["host", "port", "localAddress"])
            let host = p.string("host"), port = p.port("port"), localAddress = p.string("localAddress", required: false)
            guard let host, let port else { return nil }
            return .tcp(host: host, port: port, localAddress: localAddress)
        case "vpn":
            p.allow(["interface", "cidr", "routeTo", "probe"])
            let interface = p.string("interface"), cidr = p.string("cidr", required: false), routeTo = p.string("routeTo", required: false)
            var probe: (String, Int)?
            if let text = p.string("probe", required: false) {
                if let (host, port) = splitHostPort(text) { probe = (host, port) } else if !text.contains("${env.") { p.problem("probe", "expected \"host:port\"") }
            }
            guard let interface else { return nil }
            return .vpn(VPNSpec(interface: interface, cidr: cidr, routeTo: routeTo, probe: probe))
        case "dns":
            p.allow(["name", "type", "server", "equals", "contains"])
            let name = p.string("name")
            let type = (p.string("type", required: false) ?? "A").uppercased()
            if !["A", "AAAA", "CNAME", "SRV", "TXT"].contains(type) { p.problem("type", "expected A, AAAA, CNAME, SRV or TXT") }
            let server = p.string("server", required: false)
            if let server, splitHostPort(server) == nil, !server.contains("${env.") { p.problem("server", "expected \"host:port\", e.g. \"127.0.0.1:5353\"") }
            let equals = p.strings("equals"), contains = p.strings("contains")
            guard let name else { return nil }
            return .dns(DNSSpec(name: name, type: type, server: server, equals: equals, contains: contains))
        case "tls":
            p.allow(["host", "port", "serverName", "caFile", "minVersion", "minDaysValid", "clientAuth", "clientCert", "clientKey", "foreignCert", "foreignKey", "path"])
            let host = p.string("host"), port = p.port("port")
            let minVersion = p.string("minVersion", required: false)
            if let minVersion, !["1.2", "1.3"].contains(minVersion) { p.problem("minVersion", "expected \"1.2\" or \"1.3\"") }
            let clientAuth = p.string("clientAuth", required: false)
            if let clientAuth, clientAuth != "required" { p.problem("clientAuth", "expected \"required\"") }
            let serverName = p.string("serverName", required: false), caFile = p.file("caFile")
            let minDaysValid = p.int("minDaysValid", in: 0...36_500)
            let clientCert = p.file("clientCert"), clientKey = p.file("clientKey")
            let foreignCert = p.file("foreignCert"), foreignKey = p.file("foreignKey")
            let path = p.string("path", required: false, wire: true) ?? "/"
            guard let host, let port else { return nil }
            let spec = TLSSpec(host: host, port: port, serverName: serverName, caFile: caFile,
                               minVersion: minVersion, minDaysValid: minDaysValid, clientAuthRequired: clientAuth == "required",
                               clientCert: clientCert, clientKey: clientKey, foreignCert: foreignCert,
                               foreignKey: foreignKey, path: path)
            if spec.clientAuthRequired && (spec.clientCert == nil || spec.clientKey == nil) {
                p.problem("clientCert", "clientAuth \"required\" needs clientCert and clientKey to prove the accepted side")
            }
            return .tls(spec)
        case "http":
            p.allow(["method", "url", "headers", "body", "caFile", "clientCert", "clientKey", "insecure", "status", "header", "bodyContains", "bodyRegex", "json", "maxLatency"])
            let url = p.url("url")
            var header: (String, String)?
            if let headerValue = p.object("header") {
                if case let .string(name)? = headerValue["name"], case let .string(contains)? = headerValue["contains"] { header = (name, contains) } else {
                    p.problem("header", "expected {\"name\": ..., \"contains\": ...}")
                }
            }
            var json: [(String, JSONValue)] = []
            if let object = p.object("json") { json = object.objectMembers.map { ($0.key, $0.value) } }
            let bodyRegex = p.string("bodyRegex", required: false)
            if let bodyRegex, (try? NSRegularExpression(pattern: bodyRegex)) == nil {
                p.problem("bodyRegex", "not a valid regular expression")
            }
            let method = (p.string("method", required: false, wire: true) ?? "GET").uppercased()
            if !method.allSatisfy({ $0.isLetter }) { p.problem("method", "expected an HTTP method such as GET or POST") }
            let headers = p.headerLines(), body = p.string("body", required: false)
            let caFile = p.file("caFile"), clientCert = p.file("clientCert"), clientKey = p.file("clientKey")
            let insecure = p.bool("insecure"), status = p.ints("status", in: Limits.httpStatus) ?? [200]
            let bodyContains = p.string("bodyContains", required: false), maxLatency = p.duration("maxLatency")
            guard let url else { return nil }
            return .http(HTTPCheckSpec(method: method, url: url, headers: headers,
                                       body: body, caFile: caFile, clientCert: clientCert,
                                       clientKey: clientKey, insecure: insecure, status: status,
                                       header: header, bodyContains: bodyContains,
                                       bodyRegex: bodyRegex, json: json, maxLatencyNanos: maxLatency))
        case "secrets":
            p.allow(["env", "file", "minLength"])
            let env = p.string("env", required: false, template: false)
            let file = p.string("file", required: false)
            if (p.raw("env") == nil) == (p.raw("file") == nil) { p.problem("", "needs exactly one of \"env\" (a variable name) or \"file\" (a path)") }
            return .secrets(SecretSpec(env: env, file: file, minLength: p.int("minLength", in: 0...1_000_000) ?? 16))
        case "redis":
            p.allow(["host", "port", "passwordEnv", "username", "keyPrefix", "role", "persistence", "maxLatency",
                     "tls", "caFile", "clientCert", "clientKey", "serverName", "insecure", "cluster"])
            let host = p.string("host"), port = p.port("port")
            let passwordEnv = p.string("passwordEnv", required: false, template: false)
            let username = p.string("username", required: false)
            let keyPrefix = p.string("keyPrefix", required: false) ?? "loadgate:check:"
            let role = p.string("role", required: false)
            let persistence = p.bool("persistence")
            let maxLatency = p.duration("maxLatency")
            guard let host, let port else { return nil }
            return .redis(RedisSpec(host: host, port: port, passwordEnv: passwordEnv, username: username, keyPrefix: keyPrefix,
                                    role: role, requirePersistenceOK: persistence, maxLatencyNanos: maxLatency).withTLSAndCluster(p))
        case "prometheus":
            p.allow(["url", "headers", "metrics", "caFile", "clientCert", "clientKey"])
            let url = p.url("url")
            var families: [(String, String?, [String])] = []
            if case let .array(entries)? = p.raw("metrics") {
                for entry in entries {
                    guard case let .string(name)? = entry["name"] else { p.problem("metrics", "each entry needs a \"name\""); continue }
                    var type: String?
                    if case let .string(text)? = entry["type"] { type = text }
                    var labels: [String] = []
                    if case let .array(items)? = entry["labels"] { labels = items.compactMap { if case let .string(t) = $0 { return t } else { return nil } } }
                    families.append((name, type, labels))
                }
            } else {
                p.problem("metrics", "expected [{\"name\": \"bmw_agent_response_seconds\", \"type\": \"histogram\"}, ...]")
            }
            let headers = p.headerLines(), caFile = p.file("caFile"), clientCert = p.file("clientCert"), clientKey = p.file("clientKey")
            guard let url else { return nil }
            return .prometheus(PrometheusSpec(url: url, headers: headers, families: families, caFile: caFile,
                                              clientCert: clientCert, clientKey: clientKey))
        case "command":
            p.allow(["argv", "exitCode", "outputPattern"])
            let argv = p.strings("argv")
            let exitCode = p.int("exitCode", in: 0...255) ?? 0
            let outputPattern = p.string("outputPattern", required: false)
            guard let argv, !argv.isEmpty else {
                p.problem("argv", "expected the command as an array, e.g. [\"kubectl\", \"rollout\", \"status\", \"deploy/x\"] (no shell)")
                return nil
            }
            return .command(argv: argv, exitCode: exitCode, outputPattern: outputPattern)
        default:
            p.allow(["description"])
            return .manual(description: p.string("description", required: false) ?? "")
        }
    }
}

func splitHostPort(_ text: String) -> (String, Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host.isEmpty ? nil : (host, port)
}


/// Typed access to an item's `params` through the file's `FieldReader`: located problems,
/// `${env.X}` resolved, numbers range-checked.
struct Params {
    let value: JSONValue
    let path: String
    let reader: FieldReader

    init(value: JSONValue, path: String, reader: FieldReader) {
        self.value = value
        self.path = path
        self.reader = reader
        if case .object = value {} else { reader.report(path, "expected an object") }
    }

    private func at(_ key: String) -> String { key.isEmpty ? path : "\(path).\(key)" }

    func problem(_ key: String, _ message: String) { reader.report(at(key), message) }

    func allow(_ keys: [String]) { reader.checkKeys(value, allowed: keys, at: path, noun: "parameter") }

    func raw(_ key: String) -> JSONValue? { value[key] }

    /// A string; with `template`, `${env.X}` is resolved (hosts, ports and paths from the
    /// environment are configuration, not secrets). `wire`: goes into a request line or header.
    func string(_ key: String, required: Bool = true, template: Bool = true, wire: Bool = false) -> String? {
        if !template { return reader.string(value[key], at: at(key), required: required) }
        return reader.resolvedString(value[key], at: at(key), required: required, wire: wire)
    }

    /// An absolute http(s) URL.
    func url(_ key: String) -> String? {
        guard let url = string(key, wire: true) else { return nil }
        if !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("${env.")) {
            problem(key, "must start with http:// or https://")
            return nil
        }
        return url
    }

    func file(_ key: String) -> String? {
        guard let file = string(key, required: false) else { return nil }
        if !file.contains("${env."), !FileManager.default.isReadableFile(atPath: file) { problem(key, "\(file): no such readable file") }
        return file
    }

    /// A whole number in `range`: a JSON number, or a string such as "${env.PORT}".
    func int(_ key: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let raw = value[key] else {
            if required { reader.missing(at(key)) }
            return nil
        }
        guard case .string = raw else { return reader.integer(raw, at: at(key), in: range) }
        guard let text = reader.resolvedString(raw, at: at(key)) else { return nil }
        if text.contains("${env.") { return range.lowerBound }  // validating without the environment
        switch SafeNumber.integer(text: text, in: range) {
        case let .success(number): return number
        case .failure(.notANumber): problem(key, "expected a whole number, found \"\(text)\"")
        case let .failure(reason): problem(key, reason.message)
        }
        return nil
    }

    func port(_ key: String) -> Int? { int(key, in: Limits.port, required: true) }

    func bool(_ key: String) -> Bool { reader.bool(value[key], at: at(key)) ?? false }

    func duration(_ key: String) -> Int64? { reader.duration(value[key], at: at(key)) }

    /// An array of strings, each with `${env.X}` resolved.
    func strings(_ key: String) -> [String]? {
        guard let raw = value[key] else { return nil }
        guard case let .array(items) = raw else {
            problem(key, "expected an array of strings")
            return nil
        }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = reader.resolvedString(item, at: "\(at(key))[\(index)]") else { return nil }
            out.append(text)
        }
        return out
    }

    func ints(_ key: String, in range: ClosedRange<Int>) -> [Int]? {
        guard let raw = value[key] else { return nil }
        guard case let .array(items) = raw, !items.isEmpty else {
            problem(key, "expected an array of numbers such as [200]")
            return nil
        }
        let numbers = items.enumerated().compactMap { reader.integer($0.element, at: "\(at(key))[\($0.offset)]", in: range) }
        return numbers.count == items.count ? numbers : nil
    }

    func object(_ key: String) -> JSONValue? { reader.object(value[key], at: at(key)) }

    /// `headers` as "Name: value" lines; values from the environment are secrets (tokens).
    func headerLines() -> [String] {
        guard let headers = object("headers") else { return [] }
        var lines: [String] = []
        for member in headers.objectMembers {
            let headerPath = "\(at("headers")).\(member.key)"
            if !FieldReader.isHeaderName(member.key) {
                reader.report(headerPath, "invalid header name: letters, digits and !#$%&'*+-.^_`|~ only")
                continue
            }
            guard let text = reader.resolvedString(member.value, at: headerPath, wire: true, secret: true) else { continue }
            lines.append("\(member.key): \(text)")
        }
        return lines
    }
}
