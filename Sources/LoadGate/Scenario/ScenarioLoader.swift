import Foundation

/// Turns a scenario file into a `Scenario`, or into every problem it has, each located by file
/// and JSON path with a fix. Fields are read through one `FieldReader`; each concern has its own
/// file: the load model (`LoadModelReader`), requests (`RequestStepReader`), expectations
/// (`ExpectationReader`), SLOs (`SLOReader`) and protocol steps (`ProtocolStepLoader`).
public struct ScenarioLoader {
    public let environment: [String: String]
    /// When true (for `validate`), an unset `${env.X}` is not an error: it is kept as text and
    /// listed in `Scenario.unsetEnvironment`.
    public let allowUnsetEnvironment: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, allowUnsetEnvironment: Bool = false) {
        self.environment = environment
        self.allowUnsetEnvironment = allowUnsetEnvironment
    }

    public func load(path: String, overrides: LoadOverrides = LoadOverrides()) throws(ValidationFailure) -> Scenario {
        try load(bytes: try InputFile.read(path), file: path, overrides: overrides)
    }

    public func load(bytes: [UInt8], file: String, overrides: LoadOverrides = LoadOverrides()) throws(ValidationFailure) -> Scenario {
        let document = try InputFile.parse(bytes, file: file)
        let reader = FieldReader(file: file, environment: environment, unsetPolicy: allowUnsetEnvironment ? .keepAsText : .error)
        let scenario = decode(document, sha256: SHA256.hex(bytes), overrides: overrides, reader)
        guard reader.isEmpty, let scenario else { throw ValidationFailure(reader.diagnostics) }
        return scenario
    }

    // MARK: - Document walk

    static let topKeys = ["$schema", "name", "description", "target", "defaults", "load", "steps", "slos", "mcp", "a2a", "regression"]
    private static let defaultsKeys = ["headers", "timeout", "http", "tls", "engine"]
    private static let tlsKeys = ["insecure", "caFile", "certFile", "keyFile"]

    /// The scenario's target as read: absent, a valid base URL, or invalid (already reported, so
    /// steps do not add "needs a target" on top).
    enum TargetState {
        case absent, invalid
        case valid(String)

        var url: String? { if case let .valid(url) = self { return url } else { return nil } }
        var isInvalid: Bool { if case .invalid = self { return true } else { return false } }
    }

    /// Request settings shared by all steps (`defaults`).
    struct StepDefaults {
        var headers: [(String, Template)] = []
        var timeoutNanos: Int64 = 10 * DurationText.nanosPerSecond
    }

    private func decode(_ document: JSONValue, sha256: String, overrides: LoadOverrides, _ r: FieldReader) -> Scenario? {
        guard case .object = document else {
            r.report("", "a scenario must be a JSON object, found \(document.kindName)")
            return nil
        }
        r.checkKeys(document, allowed: Self.topKeys, at: "")

        let name = r.string(document["name"], at: "name", required: true, nonEmpty: true) ?? ""
        if !name.isEmpty, name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) == nil {
            r.report("name", "\"\(name)\" must be 1-64 letters, digits, '.', '_' or '-' (it names the run folder)")
        }

        let target = self.target(document["target"], override: overrides.target, r)

        var defaults = StepDefaults()
        var http = HTTPVersion.http1_1
        var tls = TLSOptions()
        var engine = HTTPEngineSetting.auto
        if let value = r.object(document["defaults"], at: "defaults") {
            r.checkKeys(value, allowed: Self.defaultsKeys, at: "defaults")
            defaults.headers = headers(value["headers"], at: "defaults.headers", r)
            if let timeout = r.duration(value["timeout"], at: "defaults.timeout") { defaults.timeoutNanos = timeout }
            if let version = r.choice(value["http"], at: "defaults.http", from: ["1.1", "2"], message: "expected \"1.1\" or \"2\"") {
                http = HTTPVersion(rawValue: version) ?? .http1_1
            }
            if let tlsValue = value["tls"] { tls = tlsOptions(tlsValue, at: "defaults.tls", r) }
            if let choice = r.choice(value["engine"], at: "defaults.engine", from: ["auto", "libcurl"],
                                     message: "expected \"auto\" (native HTTP/1.1 where the run qualifies, else libcurl) or \"libcurl\"") {
                engine = HTTPEngineSetting(rawValue: choice) ?? .auto
            }
        }
        if http == .http2, let url = target.url, url.lowercased().hasPrefix("http://") {
            r.report("defaults.http", "HTTP/2 needs an https:// target: cleartext h2c with prior knowledge is broken in libcurl 7.88 (curl issue 10634); use \"1.1\" or an https target")
        }

        let load = loadModel(document["load"], overrides: overrides, r)
        let mcp = mcpSettings(document["mcp"], target: target.url, r)
        let a2a = a2aSettings(document["a2a"], target: target.url, r)
        let (steps, stepNames) = self.steps(document["steps"], target: target, defaults: defaults, mcp: mcp, r)
        let (slos, slosAreDefaults) = self.slos(document["slos"], stepNames: stepNames, load: load, r)

        let regressionOverrides = document["regression"].map {
            RegressionPolicy.decodeOverrides($0, stepNames: steps.map(\.name) + steps.flatMap(\.phaseNames), r)
        } ?? [:]
        guard r.isEmpty, let load else { return nil }
        var scenario = Scenario(name: name, target: target.url, load: load, steps: steps, slos: slos, slosAreDefaults: slosAreDefaults,
                                tls: tls, httpVersion: http, sha256: sha256,
                                secretValues: Array(Set(r.secrets)).filter { !$0.hasPrefix("${env.") },
                                unsetEnvironment: r.unsetNames.sorted())
        scenario.mcp = mcp
        scenario.a2a = a2a
        scenario.engine = engine
        scenario.regressionOverrides = regressionOverrides
        return scenario
    }

    /// The target from `--target` (errors name the flag) or from the file.
    private func target(_ value: JSONValue?, override: String?, _ r: FieldReader) -> TargetState {
        if let override {
            let flag = FieldReader(file: "command line", environment: environment, unsetPolicy: r.unsetPolicy)
            let state = target(text: override, at: "--target", flag)
            for diagnostic in flag.diagnostics { r.report(diagnostic) }
            r.addSecrets(flag.secrets)
            return state
        }
        guard let value else { return .absent }
        guard let text = r.string(value, at: "target", expected: "a string such as \"http://127.0.0.1:8080\"") else { return .invalid }
        return target(text: text, at: "target", r)
    }

    private func target(text: String, at path: String, _ r: FieldReader) -> TargetState {
        guard let template = r.template(text, at: path, wire: true, secret: false) else { return .invalid }
        guard template.isStatic else {
            r.report(path, "the target cannot use ${vu}, ${iteration}, ${uuid} or ${now}")
            return .invalid
        }
        if r.unsetPolicy == .keepAsText, template.staticText.contains("${env.") {
            return .valid(template.staticText)  // validating without the environment: the URL is checked at run time
        }
        return validateBaseURL(template.staticText, at: path, r) ? .valid(template.staticText) : .invalid
    }

    private func tlsOptions(_ value: JSONValue, at path: String, _ r: FieldReader) -> TLSOptions {
        var options = TLSOptions()
        guard r.object(value, at: path) != nil else { return options }
        r.checkKeys(value, allowed: Self.tlsKeys, at: path)
        if let insecure = r.bool(value["insecure"], at: path + ".insecure") { options.insecure = insecure }
        for (key, keyPath) in [("caFile", \TLSOptions.caFile), ("certFile", \TLSOptions.certFile), ("keyFile", \TLSOptions.keyFile)] {
            guard let file = r.resolvedString(value[key], at: "\(path).\(key)") else { continue }
            if !FileManager.default.isReadableFile(atPath: file) {
                r.report("\(path).\(key)", "\(file): no such readable file")
            }
            options[keyPath: keyPath] = file
        }
        if (options.certFile == nil) != (options.keyFile == nil) {
            r.report(path, "certFile and keyFile go together (client certificate for mTLS)")
        }
        return options
    }

    /// Checks that `text` is an absolute http(s) URL with a host; reports and returns false if not.
    @discardableResult
    func validateBaseURL(_ text: String, at path: String, _ r: FieldReader) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            r.report(path, "\"\(Redaction.url(text))\" is not an absolute http:// or https:// URL")
            return false
        }
        return true
    }
}
