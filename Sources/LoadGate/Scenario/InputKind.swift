/// Which of LoadGate's input files a document is, told by its content (not its name): an array is
/// an attestations file, an object with `sections` a checklist, a JSON Schema (its `$schema` names
/// json-schema.org, as the shipped schemas beside the inputs do) is none, any other object a scenario.
public enum InputKind: String, Sendable {
    case scenario, checklist, attestations, jsonSchema

    public static func of(_ document: JSONValue) -> InputKind {
        switch document {
        case .array: return .attestations
        case .object where document["$schema"].map({ if case let .string(text) = $0 { return text.contains("json-schema.org") } else { return false } }) == true:
            return .jsonSchema
        case .object where document["sections"] != nil: return .checklist
        default: return .scenario
        }
    }

    /// Reads and classifies a file; the bytes are returned for the loader (read once).
    public static func detect(path: String) throws(ValidationFailure) -> (InputKind, [UInt8]) {
        let bytes = try InputFile.read(path)
        return (of(try InputFile.parse(bytes, file: path)), bytes)
    }
}
