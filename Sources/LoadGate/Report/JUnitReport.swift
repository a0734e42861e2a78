import Foundation

/// `junit.xml` from `report.json`: one testsuite per scenario (a testcase per SLO, with observed vs
/// expected in the failure message) and one per checklist section (a testcase per item, classname
/// = section); skipped and waived items as `<skipped/>` with their reason. Follows the common
/// Jenkins/GitLab JUnit conventions (time in seconds, failures/errors/skipped counts).
public enum JUnitReport {
    public static func render(_ report: JSONValue) -> String { render(ReportView(readiness: report)) }

    public static func render(_ view: ReportView) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        let timestamp = String(view.startedAt.prefix(19))
        for scenario in view.scenarios {
            let name = scenario.name
            var cases: [String] = []
            var failures = 0, skipped = 0
            let time = scenario.run?.durationSeconds ?? 0
            if let run = scenario.run {
                if run.verdict == "invalid" {
                    cases.append(testcase(name: "load generated as requested", classname: "scenario.\(name)", time: time,
                                          body: "<error message=\"\(Markup.escape(run.reasons.joined(separator: "; ")))\" type=\"invalid\"/>"))
                    failures += 1
                }
                for slo in run.slos {
                    var body = ""
                    if !slo.passed {
                        failures += 1
                        let message = "expected \(slo.expression); observed \(slo.observedText)"
                        var samples: [String] = []
                        for step in run.steps where slo.step == nil || step.name == slo.step {
                            for sample in step.errorSamples where samples.count < 6 { samples.append(sampleLine(step: step.name, sample)) }
                        }
                        let detail = ([message] + (samples.isEmpty ? [] : ["error samples:"] + samples)).joined(separator: "\n")
                        body = "<failure message=\"\(Markup.escape(message))\" type=\"slo\">\(Markup.escape(detail))</failure>"
                    }
                    cases.append(testcase(name: slo.expression, classname: "scenario.\(name)", time: time, body: body))
                }
            } else {
                cases.append(testcase(name: "run", classname: "scenario.\(name)", time: 0,
                                      body: "<skipped message=\"\(Markup.escape(scenario.skippedReason ?? "not run"))\"/>"))
                skipped += 1
            }
            totals.tests += cases.count
            totals.failures += failures
            totals.skipped += skipped
            suites.append(suite(name: "scenario: \(name)", tests: cases.count, failures: failures, errors: 0, skipped: skipped,
                                time: time, timestamp: timestamp, cases: cases))
        }
        var sections: [String] = []
        var bySection: [String: [ReportView.ChecklistPart.Item]] = [:]
        for item in view.checklist?.items ?? [] {
            if bySection[item.section] == nil { sections.append(item.section) }
            bySection[item.section, default: []].append(item)
        }
        for section in sections {
            var cases: [String] = []
            var failures = 0, errors = 0, skipped = 0
            var time = 0.0
            for item in bySection[section] ?? [] {
                time += item.durationSeconds
                let detail = "expected: \(item.expected)\nobserved: \(item.observed)\n\(item.message)"
                var body = ""
                switch item.status {
                case "failed":
                    failures += 1
                    body = "<failure message=\"\(Markup.escape(item.message))\" type=\"\(Markup.escape(item.severity))\">\(Markup.escape(detail))</failure>"
                case "error":
                    errors += 1
                    body = "<error message=\"\(Markup.escape(item.message))\" type=\"error\">\(Markup.escape(detail))</error>"
                case "skipped":
                    skipped += 1
                    body = "<skipped message=\"\(Markup.escape(item.message))\"/>"
                case "waived":
                    skipped += 1
                    body = "<skipped message=\"\(Markup.escape("waived: " + item.message))\"/>"
                default:
                    body = "<system-out>\(Markup.escape(detail))</system-out>"
                }
                cases.append(testcase(name: "\(item.id): \(item.title)", classname: section, time: item.durationSeconds, body: body))
            }
            totals.tests += cases.count
            totals.failures += failures
            totals.errors += errors
            totals.skipped += skipped
            suites.append(suite(name: "checklist: \(section)", tests: cases.count, failures: failures, errors: errors, skipped: skipped,
                                time: time, timestamp: timestamp, cases: cases))
        }
        for comparison in ComparisonSection.junitSuites(view.document) {
            suites.append(comparison.xml)
            totals.tests += comparison.tests
            totals.failures += comparison.failures
            totals.skipped += comparison.skipped
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"loadgate readiness \(Markup.escape(view.runID))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\">\n"
        out += suites.joined()
        out += "</testsuites>\n"
        return out
    }

    /// "api http-5xx HTTP 503 at 1.25 s: message" for a failure's detail text.
    static func sampleLine(step: String, _ sample: ReportView.ErrorSample) -> String {
        var line = "\(step) \(sample.failureClass)"
        if let status = sample.status { line += " HTTP \(status)" }
        if let at = sample.atSeconds { line += " at \(DurationText.trim(at)) s" }
        return line + ": " + sample.message
    }

    private static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    private static func testcase(name: String, classname: String, time seconds: Double, body: String) -> String {
        let open = "    <testcase name=\"\(Markup.escape(name))\" classname=\"\(Markup.escape(classname))\" time=\"\(time(seconds))\""
        return body.isEmpty ? open + "/>\n" : open + ">\n      \(body)\n    </testcase>\n"
    }

    private static func suite(name: String, tests: Int, failures: Int, errors: Int, skipped: Int, time seconds: Double,
                              timestamp: String, cases: [String]) -> String {
        "  <testsuite name=\"\(Markup.escape(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time(seconds))\" timestamp=\"\(Markup.escape(timestamp))\" hostname=\"loadgate\">\n"
            + cases.joined() + "  </testsuite>\n"
    }
}
