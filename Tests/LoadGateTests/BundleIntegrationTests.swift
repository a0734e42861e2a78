import Foundation
import Testing
@testable import LoadGate

/// `loadgate gate`, `verify` and `report` end to end: a scenario against nginx and the local
/// checklist against its peers, with a bearer token and a Redis password in the environment.
@Suite("Readiness bundle", .serialized)
struct BundleIntegrationTests {
    final class Fixture: @unchecked Sendable {
        let peers: ChecklistPeers
        let nginx: PeerProcess
        let bundle: String
        let run: CLIRun
        let stepSummary: String
        static let signingKey = "bundle-signing-key-" + UUID().uuidString

        init() throws {
            peers = try ChecklistPeers()
            nginx = try PeerProcess.nginx()
            let scenario = try peers.scratch.write("health.json", """
            {"name": "health", "target": "http://127.0.0.1:\(nginx.port)",
             "defaults": {"headers": {"Authorization": "Bearer ${env.LG_API_TOKEN}"}},
             "load": {"rate": 100, "duration": "3s", "connections": 10},
             "steps": [{"name": "live", "request": {"path": "/health/live"}}, {"name": "api", "request": {"path": "/api/v1/health"}}],
             "slos": ["p95 < 2s", "availability >= 99.9%"]}
            """)
            let attestations = try peers.scratch.write("attestations.json", ChecklistIntegrationTests.attestation)
            bundle = peers.scratch.path("bundle")
            stepSummary = peers.scratch.path("step-summary.md")
            var environment = peers.environment
            environment["GITHUB_STEP_SUMMARY"] = stepSummary
            environment["GITHUB_RUN_ID"] = "4242"
            environment[ReportBundle.signingKeyVariable] = Self.signingKey
            run = try CLIRun.run(["gate", "--scenario", scenario, "--checklist", PeerProcess.packageRoot.appendingPathComponent("checklists/local.json").path,
                                  "--attestations", attestations, "--out", bundle], environment: environment)
        }

        func verify(key: String? = Fixture.signingKey) throws -> CLIRun {
            try CLIRun.run(["verify", bundle], environment: key.map { [ReportBundle.signingKeyVariable: $0] } ?? [ReportBundle.signingKeyVariable: ""])
        }
    }

    @Test("gate writes a passing bundle; JUnit validates against the XSD; Markdown lands in GITHUB_STEP_SUMMARY; no secret anywhere")
    func bundle() throws {
        let fixture = try Fixture()
        #expect(fixture.run.exitCode == 0, "\(fixture.run.stdout)\n\(fixture.run.stderr)")
        for file in ["report.json", "junit.xml", "report.md", "report.html", "histograms/health.live.hgrm", "histograms/health.api.hgrm", "MANIFEST.sha256", "MANIFEST.sig"] {
            #expect(FileManager.default.fileExists(atPath: fixture.bundle + "/" + file), "\(file) missing")
        }
        let xmllint = Process()
        xmllint.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        xmllint.arguments = ["--noout", "--schema", PeerProcess.packageRoot.appendingPathComponent("Tests/LoadGateTests/Fixtures/junit.xsd").path, fixture.bundle + "/junit.xml"]
        xmllint.standardError = FileHandle.nullDevice
        try xmllint.run()
        xmllint.waitUntilExit()
        #expect(xmllint.terminationStatus == 0, "junit.xml must validate against the JUnit XSD")
        let junit = try String(contentsOfFile: fixture.bundle + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"scenario: health\" tests=\"2\" failures=\"0\""))
        #expect(junit.contains("<testsuite name=\"checklist: security\""))

        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.bundle + "/report.json"))))
        #expect(report.text("/verdict") == "passed")
        #expect(report.text("/ci/GITHUB_RUN_ID") == "4242")
        #expect(report.list("/inputs").count == 3)
        #expect(report.text("/tool/gitCommit")?.count == 40)
        let summary = try String(contentsOfFile: fixture.stepSummary, encoding: .utf8)
        #expect(summary.contains("LoadGate readiness: PASSED"))

        var everything = fixture.run.stdout + fixture.run.stderr + summary
        for name in try FileManager.default.subpathsOfDirectory(atPath: fixture.bundle) {
            if let data = FileManager.default.contents(atPath: fixture.bundle + "/" + name) { everything += String(decoding: data, as: UTF8.self) }
        }
        #expect(!everything.contains(ChecklistPeers.apiToken), "the bearer token leaked")
        #expect(!everything.contains(ChecklistPeers.redisPassword), "the Redis password leaked")
        #expect(!everything.contains(Fixture.signingKey), "the signing key leaked")
    }

    @Test("the HTML is one self-contained page that an HTML parser accepts, with one SVG per chart holding real data")
    func html() throws {
        let fixture = try Fixture()
        let checker = """
        import html.parser, re, sys
        VOID = {"area","base","br","col","embed","hr","img","input","link","meta","source","track","wbr"}
        class Checker(html.parser.HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True); self.stack = []; self.svgs = 0; self.polylines = []; self.bars = 0; self.external = []
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "svg": self.svgs += 1
                if tag == "polyline": self.polylines.append(len(attrs.get("points", "").split()))
                if tag == "rect" and "bar" in (attrs.get("class") or "").split(): self.bars += 1
                if tag in ("script", "link", "img", "iframe") or (attrs.get("src") or "").startswith("http"): self.external.append(tag)
                if tag not in VOID: self.stack.append(tag)
            def handle_startendtag(self, tag, attrs): self.handle_starttag(tag, attrs); self.stack.pop() if tag not in VOID else None
            def handle_endtag(self, tag):
                if tag in VOID: return
                if not self.stack or self.stack[-1] != tag: sys.exit("mismatched </%s> at %s" % (tag, self.getpos()))
                self.stack.pop()
        c = Checker(); c.feed(open(sys.argv[1], encoding="utf-8").read()); c.close()
        if c.stack: sys.exit("unclosed: %s" % c.stack)
        if c.external: sys.exit("external or scripted content: %s" % c.external)
        print(c.svgs, min(c.polylines or [0]), c.bars)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", checker, fixture.bundle + "/report.html"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the HTML parser refused report.html: \(String(decoding: data, as: UTF8.self))")
        let numbers = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(numbers.count == 3)
        #expect(numbers.first == 7, "spectrum, per step a time series and a histogram, latency sources and breakdown: one SVG each")
        #expect((numbers.dropFirst().first ?? 0) >= 2, "every plotted line has real points (one per whole second or per percentile)")
        #expect((numbers.last ?? 0) >= 3, "bars drawn from the data")
        let html = try String(contentsOfFile: fixture.bundle + "/report.html", encoding: .utf8)
        #expect(html.contains("@page{size:A4"))
        #expect(html.contains("Readiness: PASSED"))

        // loadgate report re-renders every format byte for byte from report.json alone.
        for (format, file) in [("html", "report.html"), ("md", "report.md"), ("junit", "junit.xml")] {
            let rendered = try CLIRun.run(["report", fixture.bundle, "--format", format])
            #expect(rendered.exitCode == 0)
            #expect(rendered.stdout == (try String(contentsOfFile: fixture.bundle + "/" + file, encoding: .utf8)), "\(format) differs")
        }
    }

    @Test("verify passes on a fresh bundle and names the file after any flipped byte or deletion; the HMAC needs the right key")
    func verify() throws {
        let fixture = try Fixture()
        let fresh = try fixture.verify()
        #expect(fresh.exitCode == 0, "\(fresh.stdout)")
        #expect(fresh.stdout.contains("signature valid"))
        #expect(try fixture.verify(key: "wrong-key").exitCode == 1)

        let files = try FileManager.default.subpathsOfDirectory(atPath: fixture.bundle).filter {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: fixture.bundle + "/" + $0, isDirectory: &isDirectory)
            return !isDirectory.boolValue && $0 != "MANIFEST.sig"
        }
        #expect(files.count >= 7)
        for file in files {
            let path = fixture.bundle + "/" + file
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let position = bytes.count / 2
            bytes[position] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let tampered = try fixture.verify()
            #expect(tampered.exitCode == 1, "flipping a byte of \(file) went unnoticed")
            #expect(tampered.stdout.contains(file == "MANIFEST.sha256" ? "MANIFEST" : file))
            bytes[position] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        #expect(try fixture.verify().exitCode == 0, "restored bundle verifies again")
        try FileManager.default.removeItem(atPath: fixture.bundle + "/histograms/health.api.hgrm")
        let deleted = try fixture.verify()
        #expect(deleted.exitCode == 1)
        #expect(deleted.stdout.contains("histograms/health.api.hgrm: missing"))
    }

    @Test("a failed critical check stops the gate before load unless --continue-on-fail")
    func criticalStops() throws {
        let peers = try ChecklistPeers()
        let nginx = try PeerProcess.nginx()
        let scenario = try peers.scratch.write("s.json", """
        {"name": "s", "target": "http://127.0.0.1:\(nginx.port)", "load": {"vus": 1, "iterations": 5}, "steps": [{"name": "a", "request": {"path": "/health/live"}}]}
        """)
        let checklist = try peers.scratch.write("c.json", """
        {"name": "c", "sections": {"infrastructure": [{"id": "dead", "severity": "critical", "kind": "tcp", "params": {"host": "127.0.0.1", "port": \(try PeerProcess.freePort())}, "timeout": "1s"}]}}
        """)
        let stopped = try CLIRun.run(["gate", "--scenario", scenario, "--checklist", checklist, "--out", peers.scratch.path("b1"), "--quiet"])
        #expect(stopped.exitCode == 1)
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: peers.scratch.path("b1/report.json")))))
        #expect(report.text("/scenarios/0/status") == "skipped")
        let continued = try CLIRun.run(["gate", "--scenario", scenario, "--checklist", checklist, "--continue-on-fail", "--out", peers.scratch.path("b2"), "--quiet"])
        #expect(continued.exitCode == 1)
        let second = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: peers.scratch.path("b2/report.json")))))
        #expect(second.text("/scenarios/0/status") == "ran")
    }
}

@Suite("HMAC and percentile distribution")
struct BundleUnitTests {
    @Test("HMAC-SHA256 matches RFC 4231 test case 2")
    func hmac() {
        #expect(HMACSHA256.hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("the .hgrm output has HdrHistogram's columns and ends at the 100th percentile")
    func hgrm() {
        var histogram = Histogram.latencyMicros()
        for value in 1...1000 { histogram.record(Int64(value) * 100) }
        let text = PercentileDistribution.hgrm(histogram)
        #expect(text.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)"))
        #expect(text.contains("#[Max     =      100.000, Total count    =         1000]"))
        let rows = text.split(separator: "\n").filter { $0.contains("0.") && !$0.hasPrefix("#") }
        #expect(rows.last?.contains("1.000000000000") == true)
    }
}
