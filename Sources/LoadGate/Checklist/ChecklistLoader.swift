import Foundation

/// Turns a checklist file into a `Checklist` or into every problem it has, located by JSON path.
/// `${env.X}` in any string parameter is resolved here (unset: an error, as in scenarios).
public struct ChecklistLoader {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    static let itemKeys = ["id", "title", "severity", "tags", "refs", "kind", "params", "timeout", "retry", "description"]
    static let kinds = ["tcp", "vpn", "dns", "tls", "http", "secrets", "redis", "prometheus", "command", "manual"]

    public func load(path: String) throws(ValidationFailure) -> Checklist {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure([Diagnostic(file: path, path: "", message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")])
        }
        let bytes = Array(data)
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ValidationFailure([Diagnostic(file: path, path: "", message: "line \(error.line), column \(error.column): \(error.message)")])
        }
        var sink = DiagnosticSink(file: path)
        var secrets: [String] = []
        guard case .object = document else { throw ValidationFailure([Diagnostic(file: path, path: "", message: "a checklist must be a JSON object")]) }
        for member in document.objectMembers where !["$schema", "name", "description", "sections"].contains(member.key) {
            sink.report(member.key, "unknown key; allowed: name, description, sections")
        }
        var name = "checklist"
        if case let .string(text)? = document["name"] { name = text } else { sink.report("name", "missing; a name such as \"deployment-verification\"") }
        var items: [ChecklistItem] = []
        guard case let .object(sections)? = document["sections"], !sections.isEmpty else {
            sink.report("sections", "expected an object of sections, e.g. {\"infrastructure\": [ ... ]}")
            throw ValidationFailure(sink.diagnostics)
        }
        var seen: Set<String> = []
        for section in sections {
            guard case let .array(entries) = section.value else {
                sink.report("sections.\(section.key)", "expected an array of items")
                continue
            }
            for (index, entry) in entries.enumerated() {
                let at = "sections.\(section.key)[\(index)]"
                guard let item = item(entry, section: section.key, at: at, secrets: &secrets, sink: &sink) else { continue }
                if seen.contains(item.id) { sink.report(at + ".id", "duplicate id \"\(item.id)\"") }
                seen.insert(item.id)
                items.append(item)
            }
        }
        guard sink.isEmpty else { throw ValidationFailure(sink.diagnostics) }
        return Checklist(name: name, items: items, sha256: SHA256.hex(bytes), secretValues: Array(Set(secrets)))
    }

    private func item(_ value: JSONValue, section: String, at path: String, secrets: inout [String], sink: inout DiagnosticSink) -> ChecklistItem? {
        guard case .object = value else {
            sink.report(path, "expected an object with id, title, severity, kind and params")
            return nil
        }
        for member in value.objectMembers where !Self.itemKeys.contains(member.key) {
            let hint = closestMatch(to: member.key, in: Self.itemKeys).map { "; did you mean '\($0)'?" } ?? ""
            sink.report("\(path).\(member.key)", "unknown key\(hint)")
        }
        guard case let .string(id)? = value["id"], !id.isEmpty else {
            sink.report(path + ".id", "missing; a stable id such as \"vpn-connectivity\"")
            return nil
        }
        var title = id
        if case let .string(text)? = value["title"] { title = text }
        var severity = Severity.medium
        if let raw = value["severity"] {
            if case let .string(text) = raw, let parsed = Severity(rawValue: text) { severity = parsed } else {
                sink.report(path + ".severity", "expected one of critical, high, medium, low")
            }
        }
        let tags = strings(value["tags"])
        let refs = strings(value["refs"])
        guard case let .string(kind)? = value["kind"], Self.kinds.contains(kind) else {
            let got: String
            if case let .string(text)? = value["kind"] { got = text } else { got = "" }
            let hint = closestMatch(to: got, in: Self.kinds).map { "; did you mean '\($0)'?" } ?? ""
            sink.report(path + ".kind", "expected one of \(Self.kinds.joined(separator: ", "))\(hint)")
            return nil
        }
        var params = Params(value: value["params"] ?? .object([]), path: path + ".params", environment: environment)
        let check = spec(kind, &params)
        for diagnostic in params.problems { sink.report(diagnostic.0, diagnostic.1) }
        secrets += params.environmentValues
        if case let .secrets(secret) = check, let env = secret.env, let value = environment[env], !value.isEmpty { secrets.append(value) }
        if case let .redis(redis) = check, let env = redis.passwordEnv, let value = environment[env], !value.isEmpty { secrets.append(value) }
        var timeout: Int64 = 10 * DurationText.nanosPerSecond
        if let raw = value["timeout"] {
            if case let .string(text) = raw, let nanos = DurationText.parseNanos(text), nanos > 0 { timeout = nanos } else {
                sink.report(path + ".timeout", "expected a duration such as \"5s\"")
            }
        }
        var retryTimeout: Int64 = 0
        var retryInterval: Int64 = DurationText.nanosPerSecond
        if let retry = value["retry"] {
            if case let .string(text)? = retry["timeout"], let nanos = DurationText.parseNanos(text) { retryTimeout = nanos } else {
                sink.report(path + ".retry.timeout", "expected a duration such as \"30s\"")
            }
            if let interval = retry["interval"] {
                if case let .string(text) = interval, let nanos = DurationText.parseNanos(text), nanos > 0 { retryInterval = nanos } else {
                    sink.report(path + ".retry.interval", "expected a duration such as \"1s\"")
                }
            }
        }
        guard let check, params.problems.isEmpty else { return nil }
        return ChecklistItem(id: id, title: title, section: section, severity: severity, tags: tags, refs: refs, check: check,
                             timeoutNanos: timeout, retryTimeoutNanos: retryTimeout, retryIntervalNanos: retryInterval)
    }

    private func strings(_ value: JSONValue?) -> [String] {
        guard case let .array(items)? = value else { return [] }
        return items.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
    }

    private func spec(_ kind: String, _ p: inout Params) -> CheckSpec? {
        switch kind {
        case "tcp":
            p.allow(["host", "port", "localAddress"])
            guard let host = p.string("host"), let port = p.port("port") else { return nil }
            return .tcp(host: host, port: port, localAddress: p.string("localAddress", required: false))
        case "vpn":
            p.allow(["interface", "cidr", "routeTo", "probe"])
            guard let interface = p.string("interface") else { return nil }
            var probe: (String, Int)?
            if let text = p.string("probe", required: false) {
                if let (host, port) = splitHostPort(text) { probe = (host, port) } else { p.problem("probe", "expected \"host:port\"") }
            }
            return .vpn(VPNSpec(interface: interface, cidr: p.string("cidr", required: false), routeTo: p.string("routeTo", required: false), probe: probe))
        case "dns":
            p.allow(["name", "type", "server", "equals", "contains"])
            guard let name = p.string("name") else { return nil }
            let type = (p.string("type", required: false) ?? "A").uppercased()
            if !["A", "AAAA", "CNAME", "SRV", "TXT"].contains(type) { p.problem("type", "expected A, AAAA, CNAME, SRV or TXT") }
            let server = p.string("server", required: false)
            if let server, splitHostPort(server) == nil { p.problem("server", "expected \"host:port\", e.g. \"127.0.0.1:5353\"") }
            return .dns(DNSSpec(name: name, type: type, server: server, equals: p.strings("equals"), contains: p.strings("contains")))
        case "tls":
            p.allow(["host", "port", "serverName", "caFile", "minVersion", "minDaysValid", "clientAuth", "clientCert", "clientKey", "foreignCert", "foreignKey", "path"])
            guard let host = p.string("host"), let port = p.port("port") else { return nil }
            let minVersion = p.string("minVersion", required: false)
            if let minVersion, !["1.2", "1.3"].contains(minVersion) { p.problem("minVersion", "expected \"1.2\" or \"1.3\"") }
            let clientAuth = p.string("clientAuth", required: false)
            if let clientAuth, clientAuth != "required" { p.problem("clientAuth", "expected \"required\"") }
            let spec = TLSSpec(host: host, port: port, serverName: p.string("serverName", required: false), caFile: p.file("caFile"),
                               minVersion: minVersion, minDaysValid: p.int("minDaysValid"), clientAuthRequired: clientAuth == "required",
                               clientCert: p.file("clientCert"), clientKey: p.file("clientKey"), foreignCert: p.file("foreignCert"),
                               foreignKey: p.file("foreignKey"), path: p.string("path", required: false) ?? "/")
            if spec.clientAuthRequired && (spec.clientCert == nil || spec.clientKey == nil) {
                p.problem("clientCert", "clientAuth \"required\" needs clientCert and clientKey to prove the accepted side")
            }
            return .tls(spec)
        case "http":
            p.allow(["method", "url", "headers", "body", "caFile", "clientCert", "clientKey", "insecure", "status", "header", "bodyContains", "bodyRegex", "json", "maxLatency"])
            guard let url = p.string("url") else { return nil }
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) { p.problem("url", "must start with http:// or https://") }
            var header: (String, String)?
            if let headerValue = p.object("header") {
                if case let .string(name)? = headerValue["name"], case let .string(contains)? = headerValue["contains"] { header = (name, contains) } else {
                    p.problem("header", "expected {\"name\": ..., \"contains\": ...}")
                }
            }
            var json: [(String, JSONValue)] = []
            if let object = p.object("json") { json = object.objectMembers.map { ($0.key, $0.value) } }
            if let regex = p.string("bodyRegex", required: false), (try? NSRegularExpression(pattern: regex)) == nil {
                p.problem("bodyRegex", "not a valid regular expression")
            }
            return .http(HTTPCheckSpec(method: (p.string("method", required: false) ?? "GET").uppercased(), url: url, headers: p.headerLines(),
                                       body: p.string("body", required: false), caFile: p.file("caFile"), clientCert: p.file("clientCert"),
                                       clientKey: p.file("clientKey"), insecure: p.bool("insecure"), status: p.ints("status") ?? [200],
                                       header: header, bodyContains: p.string("bodyContains", required: false),
                                       bodyRegex: p.string("bodyRegex", required: false), json: json, maxLatencyNanos: p.duration("maxLatency")))
        case "secrets":
            p.allow(["env", "file", "minLength"])
            let env = p.string("env", required: false, template: false)
            let file = p.string("file", required: false)
            if (env == nil) == (file == nil) { p.problem("", "needs exactly one of \"env\" (a variable name) or \"file\" (a path)") }
            return .secrets(SecretSpec(env: env, file: file, minLength: p.int("minLength") ?? 16))
        case "redis":
            p.allow(["host", "port", "passwordEnv", "username", "keyPrefix", "role", "persistence", "maxLatency",
                     "tls", "caFile", "clientCert", "clientKey", "serverName", "insecure", "cluster"])
            guard let host = p.string("host"), let port = p.port("port") else { return nil }
            return .redis(RedisSpec(host: host, port: port, passwordEnv: p.string("passwordEnv", required: false, template: false),
                                    username: p.string("username", required: false), keyPrefix: p.string("keyPrefix", required: false) ?? "loadgate:check:",
                                    role: p.string("role", required: false), requirePersistenceOK: p.bool("persistence"),
                                    maxLatencyNanos: p.duration("maxLatency")).withTLSAndCluster(&p))
        case "prometheus":
            p.allow(["url", "headers", "metrics", "caFile", "clientCert", "clientKey"])
            guard let url = p.string("url") else { return nil }
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
            return .prometheus(PrometheusSpec(url: url, headers: p.headerLines(), families: families, caFile: p.file("caFile"),
                                              clientCert: p.file("clientCert"), clientKey: p.file("clientKey")))
        case "command":
            p.allow(["argv", "exitCode", "outputPattern"])
            guard let argv = p.strings("argv"), !argv.isEmpty else {
                p.problem("argv", "expected the command as an array, e.g. [\"kubectl\", \"rollout\", \"status\", \"deploy/x\"] (no shell)")
                return nil
            }
            return .command(argv: argv, exitCode: p.int("exitCode") ?? 0, outputPattern: p.string("outputPattern", required: false))
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

extension JSONValue {
    var objectMembers: [(key: String, value: JSONValue)] {
        if case let .object(members) = self { return members }
        return []
    }
}

/// Typed access to an item's `params`, collecting located problems and resolving `${env.X}`.
struct Params {
    let value: JSONValue
    let path: String
    let environment: [String: String]
    var problems: [(String, String)] = []
    var environmentValues: [String] = []

    init(value: JSONValue, path: String, environment: [String: String]) {
        self.value = value
        self.path = path
        self.environment = environment
        if case .object = value {} else { problems.append((path, "expected an object")) }
    }

    mutating func problem(_ key: String, _ message: String) { problems.append((key.isEmpty ? path : "\(path).\(key)", message)) }

    mutating func allow(_ keys: [String]) {
        for member in value.objectMembers where !keys.contains(member.key) {
            let hint = closestMatch(to: member.key, in: keys).map { "; did you mean '\($0)'?" } ?? "; allowed: \(keys.joined(separator: ", "))"
            problem(member.key, "unknown parameter\(hint)")
        }
    }

    func raw(_ key: String) -> JSONValue? { value[key] }

    mutating func string(_ key: String, required: Bool = true, template: Bool = true) -> String? {
        guard let raw = value[key] else {
            if required { problem(key, "missing") }
            return nil
        }
        guard case let .string(text) = raw else {
            problem(key, "expected a string, found \(raw.kindName)")
            return nil
        }
        guard template else { return text }
        switch Template.compile(text, environment: { environment[$0] }) {
        case let .success(compiled) where compiled.isStatic:
            // Hosts, ports and paths from the environment are configuration, not secrets; header
            // values (tokens) are collected as secrets in headerLines().
            return compiled.staticText
        case .success:
            problem(key, "only ${env.NAME} can be used in checklists")
        case let .failure(error):
            problem(key, error.message)
        }
        return nil
    }

    mutating func file(_ key: String) -> String? {
        guard let file = string(key, required: false) else { return nil }
        if !FileManager.default.isReadableFile(atPath: file) { problem(key, "\(file): no such readable file") }
        return file
    }

    mutating func int(_ key: String) -> Int? {
        guard let raw = value[key] else { return nil }
        if case let .number(number) = raw, number == number.rounded() { return Int(number) }
        if case let .string(text) = raw {
            if case let .failure(error) = Template.compile(text, environment: { environment[$0] }) {
                problem(key, error.message)
                return nil
            }
            if let resolved = stringValue(text, key: key), let number = Int(resolved) { return number }
        }
        problem(key, "expected a whole number")
        return nil
    }

    private mutating func stringValue(_ text: String, key: String) -> String? {
        guard case let .success(compiled) = Template.compile(text, environment: { environment[$0] }), compiled.isStatic else { return nil }
        return compiled.staticText
    }

    mutating func port(_ key: String) -> Int? {
        guard let port = int(key) else {
            if value[key] == nil { problem(key, "missing") }
            return nil
        }
        guard (1...65535).contains(port) else {
            problem(key, "must be between 1 and 65535")
            return nil
        }
        return port
    }

    mutating func bool(_ key: String) -> Bool {
        guard let raw = value[key] else { return false }
        if case let .bool(flag) = raw { return flag }
        problem(key, "expected true or false")
        return false
    }

    mutating func duration(_ key: String) -> Int64? {
        guard let raw = value[key] else { return nil }
        if case let .string(text) = raw, let nanos = DurationText.parseNanos(text) { return nanos }
        problem(key, "expected a duration such as \"500ms\"")
        return nil
    }

    mutating func strings(_ key: String) -> [String]? {
        guard let raw = value[key] else { return nil }
        guard case let .array(items) = raw else {
            problem(key, "expected an array of strings")
            return nil
        }
        var out: [String] = []
        for item in items {
            guard case let .string(text) = item, let resolved = stringValue(text, key: key) else {
                problem(key, "expected an array of strings")
                return nil
            }
            out.append(resolved)
        }
        return out
    }

    mutating func ints(_ key: String) -> [Int]? {
        guard let raw = value[key] else { return nil }
        if case let .array(items) = raw {
            let numbers = items.compactMap { if case let .number(n) = $0 { return Int(n) } else { return nil } }
            if numbers.count == items.count, !numbers.isEmpty { return numbers }
        }
        problem(key, "expected an array of numbers such as [200]")
        return nil
    }

    mutating func object(_ key: String) -> JSONValue? {
        guard let raw = value[key] else { return nil }
        if case .object = raw { return raw }
        problem(key, "expected an object")
        return nil
    }

    mutating func headerLines() -> [String] {
        guard let headers = object("headers") else { return [] }
        var lines: [String] = []
        for member in headers.objectMembers {
            guard case let .string(text) = member.value else { continue }
            switch Template.compile(text, environment: { environment[$0] }) {
            case let .success(compiled) where compiled.isStatic:
                environmentValues += compiled.environmentValues
                lines.append("\(member.key): \(compiled.staticText)")
            case let .failure(error): problem("headers.\(member.key)", error.message)
            default: problem("headers.\(member.key)", "only ${env.NAME} can be used in checklists")
            }
        }
        return lines
    }
}
