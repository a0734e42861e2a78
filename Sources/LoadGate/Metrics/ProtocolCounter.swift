/// Protocol events counted per step (not failures in themselves). Defined with the metrics that
/// store them (`StepMetrics.counters`), so metrics do not depend on the protocol code.
public enum ProtocolCounter: Int, CaseIterable, Sendable {
    case sessionExpired, progressNotifications, sessionsCreated, polls, events
    /// MCP `notifications/message` (log messages) and any other notification with a reply.
    case logMessages, otherNotifications
    /// MCP sessions opened on a server that issued no `Mcp-Session-Id` (nothing to delete later).
    case sessionsWithoutID

    public var name: String {
        switch self {
        case .sessionExpired: return "session_expired"
        case .progressNotifications: return "progress_notifications"
        case .sessionsCreated: return "sessions_created"
        case .polls: return "polls"
        case .events: return "stream_events"
        case .logMessages: return "log_messages"
        case .otherNotifications: return "other_notifications"
        case .sessionsWithoutID: return "sessions_without_id"
        }
    }
}
