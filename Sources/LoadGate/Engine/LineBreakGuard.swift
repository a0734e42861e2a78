/// No header or request-line injection at run time: a value rendered while the run goes (a
/// capture from a peer's reply, a template) that holds CR, LF or NUL would split a header line or
/// the request line and let the peer's text write its own headers (or a second request). Static
/// values are refused when the scenario is validated; this is the one check for rendered ones,
/// called by request setup for the URL and every header before a transfer starts.
enum LineBreakGuard {
    /// Handed to libcurl instead of an unsafe request's URL: its scheme is not allowed (see
    /// `CurlEasy.restrictToHTTP`), so libcurl ends the transfer at once with
    /// CURLE_UNSUPPORTED_PROTOCOL, before resolving or connecting anything. The normal completion
    /// path then records the request as failed with class `protocol`; nothing reaches the wire.
    static let refusedURL = "loadgate-refused://header-or-url-value-with-cr-or-lf"

    @inline(__always)
    static func isUnsafe(_ text: String) -> Bool {
        text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    /// `url`, or `refusedURL` when the URL or any header value holds CR, LF or NUL.
    static func urlToSend(_ url: String, headerValues: [String]) -> String {
        if isUnsafe(url) || headerValues.contains(where: isUnsafe) { return refusedURL }
        return url
    }

    /// The same for `Name: value` header lines (the protocol flows' form).
    static func urlToSend(_ url: String, headerLines: [String]) -> String {
        urlToSend(url, headerValues: headerLines)
    }
}
