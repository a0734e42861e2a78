import Foundation

/// The Kubernetes objects that run one scenario as N shards and merge them, as one `List` that
/// `kubectl apply -f` accepts: a ConfigMap with the scenario file, a PersistentVolumeClaim for the
/// run folders, an Indexed Job (`completionMode: Indexed`, completions = parallelism = N) whose
/// pods run `loadgate run ... --shard $(JOB_COMPLETION_INDEX)/N --start-at T`, and a Job that
/// waits for the shards' summaries and merges them. Values the scenario reads from the environment
/// are referenced from a Secret (`valueFrom.secretKeyRef`), never written into a manifest.
/// A pure function of its inputs.
public struct KubeManifests {
    public var scenarioName: String
    /// The scenario file's text (it holds `${env.NAME}` references, not their values).
    public var scenarioText: String
    /// Environment variables the scenario references.
    public var environmentNames: [String]
    public var shards: Int
    public var image: String
    public var namespace: String
    public var startAt: Date
    /// How long the merge job waits for the last shard.
    public var mergeWaitSeconds: Int
    public var secretName: String?
    public var storage: String
    /// Distinguishes runs of the same scenario (object names, results folder).
    public var runID: String

    public init(scenarioName: String, scenarioText: String, environmentNames: [String], shards: Int, image: String, namespace: String,
                startAt: Date, mergeWaitSeconds: Int, secretName: String?, storage: String, runID: String) {
        self.scenarioName = scenarioName
        self.scenarioText = scenarioText
        self.environmentNames = environmentNames
        self.shards = shards
        self.image = image
        self.namespace = namespace
        self.startAt = startAt
        self.mergeWaitSeconds = mergeWaitSeconds
        self.secretName = secretName
        self.storage = storage
        self.runID = runID
    }

    public static let scenarioMountPath = "/scenario"
    public static let resultsMountPath = "/results"
    public static let scenarioKey = "scenario.json"

    /// `loadgate-<scenario>`: a valid DNS-1123 label prefix (the scenario name, cleaned and cut).
    public var scenarioLabel: String {
        let cleaned = scenarioName.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let name = String(String(cleaned).split(separator: "-").joined(separator: "-").prefix(20))
        return "loadgate-\(name.isEmpty ? "scenario" : name)"
    }

    /// `loadgate-<scenario>-<run>`, short enough for Job and pod names.
    public var baseName: String { "\(scenarioLabel)-\(runID.lowercased())" }

    /// One Secret per scenario (not per run), so it is created once: `loadgate-<scenario>-env`.
    public var secret: String { secretName ?? "\(scenarioLabel)-env" }
    public var runFolder: String { "\(Self.resultsMountPath)/\(baseName)" }

    public func document() -> JSONValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("List")),
                 ("items", .array([configMap(), volumeClaim(), shardJob(), mergeJob()]))])
    }

    func metadata(_ name: String, component: String) -> JSONValue {
        .object([("name", .string(name)), ("namespace", .string(namespace)),
                 ("labels", .object([("app.kubernetes.io/name", .string("loadgate")), ("app.kubernetes.io/component", .string(component)),
                                     ("loadgate/run", .string(baseName))]))])
    }

    func configMap() -> JSONValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("ConfigMap")), ("metadata", metadata("\(baseName)-scenario", component: "scenario")),
                 ("data", .object([(Self.scenarioKey, .string(scenarioText))]))])
    }

    func volumeClaim() -> JSONValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("PersistentVolumeClaim")), ("metadata", metadata("\(baseName)-results", component: "results")),
                 ("spec", .object([("accessModes", .array([.string("ReadWriteMany")])),
                                   ("resources", .object([("requests", .object([("storage", .string(storage))]))]))]))])
    }

    var volumes: JSONValue {
        .array([
            .object([("name", .string("scenario")), ("configMap", .object([("name", .string("\(baseName)-scenario"))]))]),
            .object([("name", .string("results")), ("persistentVolumeClaim", .object([("claimName", .string("\(baseName)-results"))]))]),
        ])
    }

    var volumeMounts: JSONValue {
        .array([
            .object([("name", .string("scenario")), ("mountPath", .string(Self.scenarioMountPath)), ("readOnly", .bool(true))]),
            .object([("name", .string("results")), ("mountPath", .string(Self.resultsMountPath))]),
        ])
    }

    func shardJob() -> JSONValue {
        var environment: [JSONValue] = [
            .object([("name", .string("JOB_COMPLETION_INDEX")),
                     ("valueFrom", .object([("fieldRef", .object([("fieldPath", .string("metadata.annotations['batch.kubernetes.io/job-completion-index']"))]))]))]),
        ]
        for name in environmentNames {
            environment.append(.object([("name", .string(name)),
                                        ("valueFrom", .object([("secretKeyRef", .object([("name", .string(secret)), ("key", .string(name))]))]))]))
        }
        let arguments = ["run", "\(Self.scenarioMountPath)/\(Self.scenarioKey)", "--shard", "$(JOB_COMPLETION_INDEX)/\(shards)",
                         "--start-at", Timestamp.iso8601(startAt), "--out", "\(runFolder)/shard-$(JOB_COMPLETION_INDEX)", "--quiet"]
        let container: JSONValue = .object([
            ("name", .string("loadgate")), ("image", .string(image)), ("command", .array([.string("loadgate")])),
            ("args", .array(arguments.map(JSONValue.string))), ("env", .array(environment)), ("volumeMounts", volumeMounts),
        ])
        return job(name: "\(baseName)-shards", component: "shard", extraSpec: [
            ("completionMode", .string("Indexed")), ("completions", .number(Double(shards))), ("parallelism", .number(Double(shards))),
        ], container: container)
    }

    func mergeJob() -> JSONValue {
        let folders = (0..<shards).map { "\(runFolder)/shard-\($0)" }
        let arguments = ["merge"] + folders + ["--wait", "\(mergeWaitSeconds)s", "--out", "\(runFolder)/merged"]
        let container: JSONValue = .object([
            ("name", .string("merge")), ("image", .string(image)), ("command", .array([.string("loadgate")])),
            ("args", .array(arguments.map(JSONValue.string))), ("volumeMounts", volumeMounts),
        ])
        return job(name: "\(baseName)-merge", component: "merge", extraSpec: [], container: container)
    }

    func job(name: String, component: String, extraSpec: [(key: String, value: JSONValue)], container: JSONValue) -> JSONValue {
        // backoffLimit 0: a retried shard would start after --start-at and be refused anyway.
        let spec: [(key: String, value: JSONValue)] = extraSpec + [
            ("backoffLimit", .number(0)),
            ("ttlSecondsAfterFinished", .number(86_400)),
            ("template", .object([
                ("metadata", .object([("labels", .object([("app.kubernetes.io/name", .string("loadgate")), ("loadgate/run", .string(baseName))]))])),
                ("spec", .object([("restartPolicy", .string("Never")), ("containers", .array([container])), ("volumes", volumes)])),
            ])),
        ]
        return .object([("apiVersion", .string("batch/v1")), ("kind", .string("Job")), ("metadata", metadata(name, component: component)),
                        ("spec", .object(spec))])
    }
}
