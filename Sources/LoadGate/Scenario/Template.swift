import Foundation

/// A string with `${...}` placeholders, compiled once at load time. `${env.NAME}` is resolved
/// during compilation (an unset variable is a validation error, never an empty string); the
/// per-request variables `${vu}`, `${iteration}`, `${uuid}` and `${now}` stay as segments.
/// A template without per-request segments is static: the engine prepares it once.
public struct Template: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case literal(String)
        case vu
        case iteration
        case uuid
        case now
        /// `${captured.NAME}`: a value captured by an earlier step of the same iteration.
        case captured(String)
    }

    public let segments: [Segment]
    /// Values taken from the environment while compiling; reporters redact them.
    public let environmentValues: [String]
    /// Captured values are JSON-escaped when rendered (the template is a JSON document's text).
    public var escapesCapturedForJSON = false

    public var isStatic: Bool { segments.allSatisfy { if case .literal = $0 { return true } else { return false } } }

    /// Names of the captured variables the template uses.
    public var capturedNames: [String] {
        segments.compactMap { if case let .captured(name) = $0 { return name } else { return nil } }
    }

    /// The text of a static template (all literals).
    public var staticText: String {
        segments.map { if case let .literal(text) = $0 { return text } else { return "" } }.joined()
    }

    /// The literal text before the first per-request segment (all of it when static).
    public var literalPrefix: String {
        if case let .literal(text)? = segments.first { return text }
        return ""
    }

    public init(literal: String) {
        segments = literal.isEmpty ? [] : [.literal(literal)]
        environmentValues = []
    }

    init(segments: [Segment], environmentValues: [String]) {
        var merged: [Segment] = []
        for segment in segments {
            if case let .literal(text) = segment, case let .literal(previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + text)
            } else if case let .literal(text) = segment, text.isEmpty {
                continue
            } else {
                merged.append(segment)
            }
        }
        self.segments = merged
        self.environmentValues = environmentValues
    }

    public enum CompileError: Error, Equatable {
        case unterminated(offset: Int)
        case unknownVariable(String)
        case unsetEnvironment(String)
    }

    /// Compiles `text`. `escape` transforms environment values before insertion (JSON bodies
    /// escape them so a quote in a token cannot break the document).
    /// `environment` looks a variable up; nil means unset.
    public static func compile(_ text: String, environment: (String) -> String?,
                               escape: (String) -> String = { $0 }) -> Result<Template, CompileError> {
        var segments: [Segment] = []
        var values: [String] = []
        var rest = Substring(text)
        var consumed = 0
        while let open = rest.range(of: "${") {
            segments.append(.literal(String(rest[..<open.lowerBound])))
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                return .failure(.unterminated(offset: consumed + rest.distance(from: rest.startIndex, to: open.lowerBound)))
            }
            let name = String(rest[open.upperBound..<close])
            switch name {
            case "vu": segments.append(.vu)
            case "iteration": segments.append(.iteration)
            case "uuid": segments.append(.uuid)
            case "now": segments.append(.now)
            case _ where name.hasPrefix("captured.") && name.count > 9:
                segments.append(.captured(String(name.dropFirst(9))))
            default:
                guard name.hasPrefix("env."), name.count > 4 else { return .failure(.unknownVariable(name)) }
                let variable = String(name.dropFirst(4))
                guard let value = environment(variable) else { return .failure(.unsetEnvironment(variable)) }
                if !value.isEmpty { values.append(value) }
                segments.append(.literal(escape(value)))
            }
            consumed += rest.distance(from: rest.startIndex, to: close) + 1
            rest = rest[rest.index(after: close)...]
        }
        segments.append(.literal(String(rest)))
        return .success(Template(segments: segments, environmentValues: values))
    }

    /// Renders the template for one request. Allocates; the engine calls it only for templates
    /// that are not static.
    public func render(vu: Int, iteration: Int64, captured: [String: String] = [:], nowWallSeconds: Double? = nil) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case let .literal(text): out += text
            case .vu: out += String(vu)
            case .iteration: out += String(iteration)
            case .uuid: out += UUID().uuidString.lowercased()
            case .now: out += Timestamp.iso8601(Date(timeIntervalSince1970: nowWallSeconds ?? Date().timeIntervalSince1970), fractional: true)
            case let .captured(name):
                let value = captured[name] ?? ""
                if escapesCapturedForJSON {
                    var escaped = ""
                    JSONWriter.writeString(value, into: &escaped)
                    out += escaped.dropFirst().dropLast()
                } else {
                    out += value
                }
            }
        }
        return out
    }
}

extension Template.CompileError {
    var message: String {
        switch self {
        case let .unterminated(offset): return "unterminated '${' at character \(offset + 1); close it with '}'"
        case let .unknownVariable(name):
            return "unknown variable '${\(name)}'; use ${env.NAME}, ${vu}, ${iteration}, ${uuid}, ${now} or ${captured.NAME}"
        case let .unsetEnvironment(name):
            return "environment variable \(name) is not set (referenced as ${env.\(name)}); export it or remove the reference"
        }
    }
}
