/// JSON-RPC 2.0 over HTTP as MCP and A2A use it: building requests and finding the response to a
/// given id in a JSON or SSE body, counting the notifications that came before it.
enum JSONRPC {
    /// Notifications (messages with a method and no id) that came with a reply, by kind: MCP
    /// progress and log messages are counted apart, everything else as `other`.
    struct Notifications: Equatable {
        var progress = 0
        var log = 0
        var other = 0
        var total: Int { progress + log + other }

        mutating func count(_ method: String) {
            switch method {
            case "notifications/progress": progress += 1
            case "notifications/message": log += 1
            default: other += 1
            }
        }
    }

    enum Reply {
        case result(JSONValue, message: JSONValue)
        case error(code: Int, message: String)
        /// No valid response with the id (or the body was not JSON-RPC): a protocol failure.
        case missing
        /// An SSE event before the reply was over the step's `maxEventBytes` (`body-too-large`).
        case eventTooLarge(bytes: Int)
    }

    static func request(id: Int64, method: String, paramsJSON: String?) -> [UInt8] {
        var text = "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":"
        JSONWriter.writeString(method, into: &text)
        if let paramsJSON { text += ",\"params\":" + paramsJSON }
        text += "}"
        return Array(text.utf8)
    }

    static func notification(method: String) -> [UInt8] {
        var text = "{\"jsonrpc\":\"2.0\",\"method\":"
        JSONWriter.writeString(method, into: &text)
        return Array((text + "}").utf8)
    }

    /// All JSON-RPC messages in a response body: one JSON object or array, or one per SSE event
    /// (up to the first event over `maxEventBytes`, whose size is returned).
    static func messages(in response: ExchangeResponse, maxEventBytes: Int = Step.defaultMaxEventBytes)
        -> (messages: [JSONValue], oversizedEventBytes: Int?) {
        if response.isEventStream {
            let parsed = ServerSentEvents.parse(response.body, maxEventBytes: maxEventBytes)
            return (parsed.payloads.compactMap { try? JSONParser.parse($0) }, parsed.oversizedEventBytes)
        }
        guard let value = try? JSONParser.parse(response.body) else { return ([], nil) }
        if case let .array(items) = value { return (items, nil) }
        return ([value], nil)
    }

    /// The reply to `id` and the number of notifications (messages with a method and no id).
    static func reply(to id: Int64, in response: ExchangeResponse,
                      maxEventBytes: Int = Step.defaultMaxEventBytes) -> (reply: Reply, notifications: Notifications) {
        var notifications = Notifications()
        let (messages, oversized) = messages(in: response, maxEventBytes: maxEventBytes)
        for message in messages {
            if message["id"] == nil || message["id"] == .null {
                if case let .string(method)? = message["method"] { notifications.count(method) }
                continue
            }
            guard message["id"] == .number(Double(id)) else { continue }
            if let result = message["result"] { return (.result(result, message: message), notifications) }
            if let error = message["error"] {
                // JSON-RPC error codes are integers; anything else (`1e300`, "x") is not a valid
                // reply, and converting it unchecked would crash the run.
                guard let code = SafeNumber.int(error["code"]) else { return (.missing, notifications) }
                var text = ""
                if case let .string(string)? = error["message"] { text = string }
                return (.error(code: code, message: text), notifications)
            }
        }
        if let oversized { return (.eventTooLarge(bytes: oversized), notifications) }
        return (.missing, notifications)
    }
}
