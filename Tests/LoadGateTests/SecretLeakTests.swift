import Foundation
import Testing
@testable import LoadGate

/// Secrets never reach an output, in any encoding: `gate` runs with secrets holding `"\<&'` (and a
/// short one), and every byte of the bundle, stdout and stderr is searched for each secret raw,
/// JSON-escaped, HTML-escaped and URL-encoded.
@Suite("Secrets in outputs", .serialized)
struct SecretLeakTests {
    static let token = "tok\"en\\<&'Zq81-x"
    static let queryToken = "q&uery<\"sec>ret'9"
    static let short = "secret"

    /// Each form a secret can take in an output.
    static func forms(_ secret: String) -> [String] {
        var json = ""
        JSONWriter.writeString(secret, into: &json)
        json = String(json.dropFirst().dropLast())
        let html = Markup.escape(secret)
        return Array(Set([secret, json, html, Markup.escape(json), html.replacingOccurrences(of: "&#39;", with: "&#x27;"),
                          Redaction.percentEncoded(secret, upper: true), Redaction.percentEncoded(secret, upper: false),
                          secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? secret]))
    }

    /// Every file under `directory`, with its text.
    static func files(_ directory: URL) -> [(String, String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var out: [(String, String)] = []
        while let path = enumerator.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: directory.appendingPathComponent(path).path) {
                out.append((path, String(decoding: data, as: UTF8.self)))
            }
        }
        return out
    }

    /// Whether `text` holds `word` standing alone (not inside a longer run of letters and digits).
    static func containsStandalone(_ text: String, _ word: String) -> Bool {
        var rest = text[...]
        while let range = rest.range(of: word) {
            let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
            if !(before.isLetter || before.isNumber), !(after.isLetter || after.isNumber) { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }

    @Test("gate with secrets holding \"\\<&' and a short secret: no form of any secret in the bundle, stdout or stderr")
    func gateLeaks() throws {
        let peer = try PeerProcess.script("hostile_peer.py", [])
        let scratch = try ScratchDirectory()
        let scenario = try scratch.write("leak.json", """
        {"name": "leak", "target": "http://127.0.0.1:\(peer.port)",
         "load": {"vus": 1, "iterations": 3, "duration": "10s"},
         "defaults": {"headers": {"Authorization": "Bearer ${env.LG_LEAK_TOKEN}"}},
         "a2a": {"card": "/card/missing?t=${env.LG_LEAK_QUERY}"},
         "steps": [{"name": "echo", "request": {"method": "GET", "path": "/echo-headers?k=${env.LG_LEAK_QUERY}"}},
                   {"name": "ask", "a2a": {"send": "hello"}}]}
        """)
        let checklist = try scratch.write("leak-checklist.json", """
        {"name": "leak", "sections": {"security": [
          {"id": "kms-secrets", "title": "token reaches the API", "severity": "high", "kind": "http",
           "params": {"url": "http://127.0.0.1:\(peer.port)/echo-headers?token=${env.LG_LEAK_QUERY}",
                      "headers": {"X-Token": "${env.LG_LEAK_TOKEN}", "X-Short": "${env.LG_LEAK_SHORT}"},
                      "bodyContains": "${env.LG_LEAK_TOKEN} and ${env.LG_LEAK_SHORT}"}},
          {"id": "short-secret-in-query", "title": "short", "severity": "low", "kind": "http",
           "params": {"url": "http://127.0.0.1:\(peer.port)/status-999?s=${env.LG_LEAK_SHORT}"}}
        ]}}
        """)
        let out = scratch.path("bundle")
        let environment = ["LG_LEAK_TOKEN": Self.token, "LG_LEAK_QUERY": Self.queryToken, "LG_LEAK_SHORT": Self.short,
                           ReportBundle.signingKeyVariable: "signing-key-\"<&'-0123456789"]
        let run = try CLIRun.run(["gate", "--scenario", scenario, "--checklist", checklist, "--continue-on-fail", "--out", out],
                                 environment: environment)
        #expect([1, 3].contains(run.exitCode), "\(run.stderr)")
        let outputs = Self.files(URL(fileURLWithPath: out)) + [("stdout", run.stdout), ("stderr", run.stderr)]
        #expect(outputs.count >= 7, "the bundle was written: \(outputs.map(\.0))")
        #expect(outputs.contains { $0.0 == "report.json" && $0.1.contains("[REDACTED]") }, "secrets reached the report and were masked there")
        for secret in [Self.token, Self.queryToken, environment[ReportBundle.signingKeyVariable]!] {
            for form in Self.forms(secret) {
                for (name, text) in outputs where text.contains(form) {
                    Issue.record("\(name) holds the secret as \(form)")
                }
            }
        }
        for (name, text) in outputs where Self.containsStandalone(text, Self.short) {
            Issue.record("\(name) holds the short secret")
        }
        // Masking did not corrupt other text: the id containing the short secret is intact.
        #expect(outputs.contains { $0.0 == "report.json" && $0.1.contains("\"kms-secrets\"") })
        #expect(!outputs.contains { $0.1.contains("kms-[REDACTED]") })
        #expect(ReportBundle.verify(URL(fileURLWithPath: out), signingKey: environment[ReportBundle.signingKeyVariable]).problems.isEmpty,
                "the redacted bundle still verifies")
    }

    @Test("A target taken from ${env.X} is never printed or written by run; a literal target is (the twin)")
    func targetFromEnvironment() throws {
        let peer = try PeerProcess.script("hostile_peer.py", [])
        let scratch = try ScratchDirectory()
        let target = "http://127.0.0.1:\(peer.port)"
        for (targetText, secret) in [("${env.LG_LEAK_TARGET}", true), (target, false)] {
            let file = try scratch.write("t-\(secret).json", """
            {"name": "target", "target": "\(targetText)", "load": {"vus": 1, "iterations": 2},
             "steps": [{"name": "echo", "request": {"method": "GET", "path": "/echo-headers"}}]}
            """)
            let out = scratch.path("out-\(secret)")
            let run = try CLIRun.run(["run", file, "--out", out], environment: ["LG_LEAK_TARGET": target])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
            let printed = run.stdout + run.stderr + summary
            #expect(printed.contains(target) == !secret, "target \(secret ? "from the environment" : "literal"): \(run.stdout)")
        }
    }

    @Test("Masking covers every encoding and leaves longer words alone")
    func masking() {
        let forms = Redaction.encodedForms(of: [Self.token, Self.short])
        let text = "raw \(Self.token) json \(Self.forms(Self.token).joined(separator: " ")) kms-secrets secret, secrets, (secret)"
        let masked = Redaction.mask(text, forms: forms)
        for form in Self.forms(Self.token) { #expect(!masked.contains(form), "\(form)") }
        #expect(masked.contains("kms-secrets"))
        #expect(masked.contains("secrets,"))
        #expect(masked.contains("([REDACTED])"))
        #expect(!Self.containsStandalone(masked, Self.short))
    }

    @Test("A JSON document stays valid JSON: a long numeric secret inside a bare number masks the whole number as the string \"[REDACTED]\", a secret in a string is masked in place; a port-like run of digits is not a maskable secret")
    func maskingKeepsJSONValid() throws {
        let document = "{\"requests\": 8080, \"bytes\": [18080, 8080], \"target\": \"http://127.0.0.1:8080/x\", "
            + "\"long\": 99123456789012345, \"note\": \"quote \\\" tok-8080\", \"ok\": true}"
        // mask(_:forms:), not text(_:secrets:): nothing is registered for the rest of the test process.
        let forms = Redaction.encodedForms(of: ["8080", "123456789012", "tok-8080"])
        #expect(!Redaction.isMaskable("8080") && !Redaction.isMaskable("12345678901") && Redaction.isMaskable("123456789012"))
        #expect(Redaction.unsafeSecrets(["8080", "abc", "tok-8080"]) == ["8080", "abc"])
        let masked = Redaction.mask(document, forms: forms)
        let parsed = try JSONParser.parse(masked)
        #expect(parsed["requests"] == .number(8080), "a count equal to a port stays a count")
        #expect(parsed["bytes"] == .array([.number(18080), .number(8080)]))
        #expect(parsed["target"] == .string("http://127.0.0.1:8080/x"))
        #expect(parsed["long"] == .string(Redaction.mask), "a long secret inside a bigger number masks the whole number")
        #expect(parsed["note"] == .string("quote \" \(Redaction.mask)"))
        #expect(parsed["ok"] == .bool(true))
        #expect(!masked.contains("123456789012") && !masked.contains("tok-8080"))
        // The twin: text that is not a JSON document is masked in place, as before.
        #expect(Redaction.mask("key tok-8080 on 127.0.0.1:8080, [tok-8080]", forms: forms)
                == "key \(Redaction.mask) on 127.0.0.1:8080, [\(Redaction.mask)]")
        #expect(Redaction.mask("[5s / 6s] tok-8080 req/s", forms: forms) == "[5s / 6s] \(Redaction.mask) req/s")
    }

    @Test("run with a digits-only ${env.X} (a port-like value) equal to the request count: summary.json keeps the count a number; the same digits as a credential header are warned about, never printed in the warning")
    func digitsOnlyValues() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        for credential in [false, true] {
            let headers = credential ? ", \"defaults\": {\"headers\": {\"X-Key\": \"${env.LG_DIGITS}\"}}" : ""
            let file = try scratch.write("d-\(credential).json", """
            {"name": "digits", "description": "build ${env.LG_DIGITS}", "target": "http://127.0.0.1:\(nginx.port)"\(headers),
             "load": {"vus": 1, "iterations": 4321}, "steps": [{"name": "live", "request": {"path": "/health/live"}}]}
            """)
            let out = scratch.path("out-\(credential)")
            let run = try CLIRun.run(["run", file, "--out", out], environment: ["LG_DIGITS": "4321"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
            #expect(summary.resolve(pointer: "/totals/requests") == .number(4321))
            let warned = run.stderr.contains("credential value(s) in headers, bodies or secrets checks hold only digits")
            #expect(warned == credential, "\(run.stderr)")
            #expect(!run.stderr.split(separator: "\n").contains { $0.hasPrefix("warning:") && $0.contains("4321") })
        }
    }

    @Test("Terminal text: escape sequences from peers and names are made visible; layout stays")
    func terminalEscapes() {
        #expect(TerminalText.escape("ok\u{1B}]0;pwned\u{07}\u{1B}[2J\r", keepLayout: true) == "ok\\x1B]0;pwned\\x07\\x1B[2J\\x0D")
        #expect(TerminalText.escape("line\n\tindented", keepLayout: true) == "line\n\tindented")
        #expect(TerminalText.escape("a\u{202E}b") == "a\\u{202E}b")
    }
}
