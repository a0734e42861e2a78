/// Ends the MCP sessions a worker opened (DELETE with the session header), so a run leaves nothing
/// behind on the server (the reference server keeps up to 10,000 idle sessions). Shutdown must stay
/// bounded whatever the server does: every DELETE is sent at once and all of them together get
/// `budgetMs` (a server that never answers costs that, not 5 s per session in sequence).
enum MCPSessionCloser {
    /// Time all of one worker's DELETEs get together.
    static let budgetMs = 2_000

    /// Returns how many sessions the server confirmed ended (200, 202, 204, or 404: already gone).
    static func close(_ pool: MCPSessionPool, headers: [String], tls: TLSOptions, budgetMs: Int = budgetMs) -> Int64 {
        guard !pool.settings.isStateless else { return 0 }
        var requests: [BlockingHTTP.Request] = []
        for session in pool.sessions where session.state == .ready {
            if let id = session.id {
                requests.append(BlockingHTTP.Request(method: "DELETE", url: pool.settings.endpointURL,
                                                     headers: headers + ["Mcp-Session-Id: \(id)", "MCP-Protocol-Version: \(session.negotiatedVersion)"]))
            }
            session.reset()
        }
        let statuses = BlockingHTTP.performAll(requests, tls: tls, totalTimeoutMs: budgetMs)
        return Int64(statuses.filter { [200, 202, 204, 404].contains($0) }.count)
    }
}
