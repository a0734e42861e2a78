import Foundation
import LoadGate

/// `loadgate kube SCENARIO --shards N --image IMAGE`: validates the scenario and prints the
/// Kubernetes manifests that run it as N shards and merge them (`KubeManifests`).
enum KubeCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["shards", "image", "namespace", "start-in", "secret", "storage"],
                                    boolean: ["help"], command: "kube")
        if args.flags.contains("help") { StandardOutput.write(HelpText.kube); return ExitCode.passed }
        guard let file = args.positionals.first else { throw .usage("missing SCENARIO file", command: "kube") }
        if args.positionals.count > 1 { throw .usage("unexpected argument '\(args.positionals[1])'; kube takes one scenario", command: "kube") }
        var problems: [Diagnostic] = []
        func problem(_ flag: String, _ message: String) { problems.append(Diagnostic(file: "command line", path: flag, message: message)) }
        let shards = args.values["shards"].flatMap { Int($0) } ?? 0
        if !(1...1000).contains(shards) { problem("--shards", "give the number of shards, a whole number from 1 to 1000") }
        let image = args.values["image"] ?? ""
        if image.isEmpty || image.contains(where: { $0.isWhitespace }) { problem("--image", "give the LoadGate container image, e.g. registry.example/loadgate:1.0") }
        let namespace = args.values["namespace"] ?? "default"
        if !isDNSLabel(namespace) { problem("--namespace", "\"\(namespace)\" is not a Kubernetes namespace name (lowercase letters, digits, '-')") }
        if let secret = args.values["secret"], !isDNSSubdomain(secret) { problem("--secret", "\"\(secret)\" is not a Kubernetes object name") }
        var startInNanos: Int64 = 60 * DurationText.nanosPerSecond
        if let text = args.values["start-in"] {
            if let nanos = DurationText.parseNanos(text), nanos >= 0 { startInNanos = nanos } else { problem("--start-in", "\"\(text)\" is not a duration; use e.g. 60s, 5m") }
        }
        let storage = args.values["storage"] ?? "1Gi"
        if storage.isEmpty || !storage.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }) { problem("--storage", "\"\(storage)\" is not a quantity such as 1Gi") }

        // Validated without the environment: the values are the pods' (from the Secret), not ours.
        var loaded: Scenario?
        do { loaded = try ScenarioLoader(environment: [:], allowUnsetEnvironment: true).load(path: file) } catch { problems += error.diagnostics }
        guard problems.isEmpty, let scenario = loaded else { throw .invalidInput(ValidationFailure(problems)) }
        // The scenario goes into a ConfigMap, readable by anyone who may read the namespace's
        // configuration: a credential written into it (and not taken from the Secret) is refused.
        let literals = literalCredentials(scenario, file: file)
        guard literals.isEmpty else { throw .invalidInput(ValidationFailure(literals)) }
        if case let .failure(error) = ShardSplit.apply(scenario, shard: ShardSpec(index: shards - 1, count: shards)) {
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--shards", message: error.message)]))
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw .internalError("cannot read \(file)") }
        let now = Date()
        let startAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + Double(startInNanos) / 1e9).rounded(.up))
        let maxLateness: Int64
        if case let .open(load) = scenario.load { maxLateness = load.maxLatenessNanos } else { maxLateness = 0 }
        let waitSeconds = Int((startInNanos + scenario.load.durationNanos + maxLateness) / DurationText.nanosPerSecond) + 600
        let manifests = KubeManifests(scenarioName: scenario.name, scenarioText: String(decoding: data, as: UTF8.self),
                                      environmentNames: Array(Set(scenario.unsetEnvironment)).sorted(), shards: shards, image: image,
                                      namespace: namespace, startAt: startAt, mergeWaitSeconds: waitSeconds, secretName: args.values["secret"],
                                      storage: storage, runID: Timestamp.compact(now))
        StandardOutput.write(JSONWriter.serialize(manifests.document(), sortKeys: false) + "\n")
        return ExitCode.passed
    }

    /// Header names that carry credentials.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"]

    /// Credentials written literally into the scenario: a credential header whose value does not
    /// come from `${env.NAME}`, and URLs with user-info (`http://user:pass@host`).
    static func literalCredentials(_ scenario: Scenario, file: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let advice = "a kube run puts the scenario in a ConfigMap: take the value from ${env.NAME} and give the Secret with --secret"
        for (index, step) in scenario.steps.enumerated() {
            for header in step.headers where credentialHeaders.contains(header.name.lowercased()) {
                let text = header.value.staticText
                if !text.isEmpty, !text.contains("${env.") {
                    found.append(Diagnostic(file: file, path: "steps[\(index)].headers.\(header.name)", message: "is a literal credential; \(advice)"))
                }
            }
            if literalUserInfo(step.url.staticText) {
                found.append(Diagnostic(file: file, path: "steps[\(index)].request.url", message: "holds user-info (user:password@); \(advice)"))
            }
        }
        if let target = scenario.target, literalUserInfo(target) {
            found.append(Diagnostic(file: file, path: "target", message: "holds user-info (user:password@); \(advice)"))
        }
        return found
    }

    private static func literalUserInfo(_ url: String) -> Bool {
        guard let info = Redaction.userInfo(of: url) else { return false }
        return !info.contains("${env.")
    }

    static func isDNSLabel(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 63 && text.first != "-" && text.last != "-"
            && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }
}
