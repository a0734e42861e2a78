import Foundation

/// Reading an input file (scenario, checklist, attestations) for a loader: its bytes, or a located
/// "no such file"; its JSON document, or the syntax error located by line and column.
enum InputFile {
    static func read(_ path: String) throws(ValidationFailure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw ValidationFailure([Diagnostic(file: path, path: "", message: reason)])
        }
        return Array(data)
    }

    static func parse(_ bytes: [UInt8], file: String) throws(ValidationFailure) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ValidationFailure([Diagnostic(file: file, path: "", message: "line \(error.line), column \(error.column): \(error.message)")])
        }
    }
}
