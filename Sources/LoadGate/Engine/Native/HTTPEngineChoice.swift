/// Which engine carries a run's requests, and why: the one home of the rule. The native HTTP/1.1
/// engine (`NativeTransport`) is chosen only when it would do exactly what libcurl does for every
/// step of the run; anything it does not implement keeps the whole run on libcurl. The choice and
/// its reason are written into the summary so a reviewer can see which engine measured.
public struct HTTPEngineChoice: Sendable, Equatable {
    public enum Engine: String, Sendable { case native, libcurl }

    public let engine: Engine
    public let reason: String
    /// The one origin every step talks to (native only).
    let origin: NativeURL?

    static func choose(scenario: Scenario, noProxy: Bool) -> HTTPEngineChoice {
        func libcurl(_ reason: String) -> HTTPEngineChoice { HTTPEngineChoice(engine: .libcurl, reason: reason, origin: nil) }
        if scenario.engine == .libcurl { return libcurl("defaults.engine is \"libcurl\"") }
        if scenario.httpVersion != .http1_1 { return libcurl("HTTP/2 is asked for") }
        if !noProxy { return libcurl("a proxy is configured in the environment") }
        var origin: NativeURL?
        for (index, step) in scenario.steps.enumerated() {
            let at = "steps[\(index)] (\(step.name))"
            guard step.kind.isHTTP else { return libcurl("\(at) is a protocol step") }
            guard let prefix = Self.staticOrigin(of: step.url) else {
                return libcurl("\(at): the URL's scheme, host or port is templated")
            }
            guard let url = NativeURL(prefix) else {
                return libcurl("\(at): not an http:// URL to a numeric address (https, a host name, user-info or unusual characters)")
            }
            if step.isStatic, NativeURL(step.url.staticText) == nil {
                return libcurl("\(at): the URL has characters the native engine does not send as libcurl would")
            }
            if let origin, !origin.sameOrigin(url) { return libcurl("steps talk to more than one origin") }
            origin = url
        }
        guard let origin else { return libcurl("no steps") }
        return HTTPEngineChoice(engine: .native, reason: "every step is plain HTTP/1.1 to \(origin.hostHeader)", origin: origin)
    }

    /// The literal start of a URL template up to the end of its authority ("http://1.2.3.4:80"),
    /// nil when a template segment comes before that end.
    static func staticOrigin(of url: Template) -> String? {
        let text = url.literalPrefix
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        guard let end = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else {
            return url.isStatic ? text : nil
        }
        return String(text[..<end])
    }
}
