import Foundation

/// Whether a Redis node persists what it is given: RDB save rules or the append-only file must be
/// configured (not merely "nothing failed": a node with `save ""` and `appendonly no` loses every
/// workflow on restart while reporting `rdb_last_bgsave_status:ok`), and the last RDB save and AOF
/// write/rewrite must have succeeded. Save rules come from `CONFIG GET save`; where CONFIG is
/// disabled (managed Redis), only an enabled AOF can prove persistence.
enum RedisPersistence {
    struct Verdict: Equatable {
        var passed: Bool
        var observed: String
        var message: String
    }

    static func check(_ client: RESPClient) -> Verdict {
        guard case let .bulk(info) = client.command(["INFO", "persistence"]) else {
            return Verdict(passed: false, observed: "INFO persistence failed", message: "INFO persistence failed")
        }
        let fields = infoFields(info)
        let saveRules: String?
        let saveReply = client.command(["CONFIG", "GET", "save"])
        var saveUnknown = ""
        if case let .array(pair) = saveReply, pair.count == 2, case let .bulk(rules) = pair[1] {
            saveRules = rules.trimmingCharacters(in: .whitespaces)
        } else {
            saveRules = nil
            saveUnknown = saveReply.display
        }
        return judge(fields: fields, saveRules: saveRules, saveUnknownBecause: saveUnknown)
    }

    /// The rule, apart from the network: `saveRules` nil when CONFIG GET was refused.
    static func judge(fields: [String: String], saveRules: String?, saveUnknownBecause: String = "") -> Verdict {
        let aofEnabled = fields["aof_enabled"] == "1"
        let rdbStatus = fields["rdb_last_bgsave_status"] ?? "?"
        let aofWrite = fields["aof_last_write_status"] ?? "?"
        let aofRewrite = fields["aof_last_bgrewrite_status"] ?? "?"
        var observed: [String] = []
        switch saveRules {
        case let rules? where !rules.isEmpty: observed.append("RDB save rules \"\(rules)\"")
        case .some: observed.append("no RDB save rules (save \"\")")
        case nil: observed.append("RDB save rules unknown (CONFIG GET save: \(saveUnknownBecause))")
        }
        observed.append("last RDB save \(rdbStatus)")
        observed.append(aofEnabled ? "AOF on, last write \(aofWrite), last rewrite \(aofRewrite)" : "AOF off")
        let text = observed.joined(separator: ", ")
        let rdbConfigured = saveRules.map { !$0.isEmpty }
        if !aofEnabled {
            if rdbConfigured == false {
                return Verdict(passed: false, observed: text, message: "persistence is off: no RDB save rules (save \"\") and appendonly no")
            }
            if rdbConfigured == nil {
                return Verdict(passed: false, observed: text, message: "persistence cannot be confirmed: appendonly is off and the RDB save rules cannot be read")
            }
        }
        if rdbStatus != "ok" { return Verdict(passed: false, observed: text, message: "the last RDB save failed (rdb_last_bgsave_status:\(rdbStatus))") }
        if aofEnabled && (aofWrite != "ok" || aofRewrite != "ok") {
            return Verdict(passed: false, observed: text, message: "the append-only file is failing (last write \(aofWrite), last rewrite \(aofRewrite))")
        }
        return Verdict(passed: true, observed: text, message: "")
    }

    /// `key:value` lines of an INFO reply.
    static func infoFields(_ info: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in info.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }
}
