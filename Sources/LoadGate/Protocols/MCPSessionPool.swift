/// MCP sessions of one worker. Each virtual user has its own session, or (with `mcp.sessions`)
/// shares one of a fixed pool. A session is initialized by the first slot that needs it; slots
/// arriving meanwhile park until it is ready. JSON-RPC ids are unique per session (two in-flight
/// requests with one id make the reference server never answer the second).
final class MCPSession {
    enum State { case none, initializing, ready }

    var state = State.none
    var id: String?
    var negotiatedVersion: String
    var nextRequestID: Int64 = 0
    var waiters: [Int] = []
    var created: Int64 = 0

    init(version: String) { negotiatedVersion = version }

    func takeRequestID() -> Int64 {
        nextRequestID += 1
        return nextRequestID
    }

    func reset() {
        state = .none
        id = nil
    }
}

final class MCPSessionPool {
    let settings: MCPSettings
    private(set) var sessions: [MCPSession]
    private let shared: Bool

    init(settings: MCPSettings, worker: Int, workers: Int, slots: Int) {
        self.settings = settings
        if let total = settings.sessions {
            shared = true
            let mine = max(1, RunPlan.share(of: total, worker: worker, of: workers))
            sessions = (0..<mine).map { _ in MCPSession(version: settings.protocolVersion) }
        } else {
            shared = false
            sessions = (0..<max(slots, 1)).map { _ in MCPSession(version: settings.protocolVersion) }
        }
    }

    func session(forSlot index: Int) -> MCPSession {
        sessions[shared ? index % sessions.count : index]
    }
}
