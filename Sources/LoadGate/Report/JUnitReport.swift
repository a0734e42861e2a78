import Foundation

/// `junit.xml` from `report.json`: one testsuite per scenario (a testcase per SLO, with observed vs
/// expected in the failure message) and one per checklist section (a testcase per item, classname
/// = section); skipped and waived items as `<skipped/>` with their reason. Follows the common
/// Jenkins/GitLab JUnit conventions (time in seconds, failures/errors/skipped counts).
public enum JUnitReport {
    public static func render(_ report: JSONValue) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        let timestamp = String((report.text("/startedAt") ?? "").prefix(19))
        for scenario in report.list("/scenarios") {
            let name = scenario.text("/name") ?? "scenario"
            var cases: [String] = []
            var failures = 0, skipped = 0
            if scenario.text("/status") == "skipped" {
                cases.append(testcase(name: "run", classname: "scenario.\(name)", time: 0,
                                      body: "<skipped message=\"\(Markup.escape(scenario.text("/skippedReason") ?? "not run"))\"/>"))
                skipped += 1
            } else {
                let time = scenario.number("/summary/durationSeconds") ?? 0
                if scenario.text("/summary/verdict") == "invalid" {
                    let reasons = scenario.list("/summary/reasons").compactMap { if case let .string(text) = $0 { return text } else { return nil } }
                    cases.append(testcase(name: "load generated as requested", classname: "scenario.\(name)", time: time,
                                          body: "<error message=\"\(Markup.escape(reasons.joined(separator: "; ")))\" type=\"invalid\"/>"))
                    failures += 1
                }
                for slo in scenario.list("/summary/slos") {
                    let expression = slo.text("/expression") ?? ""
                    let passed = slo.flag("/passed") ?? false
                    var body = ""
                    if !passed {
                        failures += 1
                        let message = "expected \(expression); observed \(slo.text("/observedText") ?? "nothing")"
                        body = "<failure message=\"\(Markup.escape(message))\" type=\"slo\">\(Markup.escape(message))</failure>"
                    }
                    cases.append(testcase(name: expression, classname: "scenario.\(name)", time: time, body: body))
                }
            }
            totals.tests += cases.count
            totals.failures += failures
            totals.skipped += skipped
            suites.append(suite(name: "scenario: \(name)", tests: cases.count, failures: failures, errors: 0, skipped: skipped,
                                time: scenario.number("/summary/durationSeconds") ?? 0, timestamp: timestamp, cases: cases))
        }
        var sections: [String] = []
        var bySection: [String: [JSONValue]] = [:]
        for item in report.list("/checklist/items") {
            let section = item.text("/section") ?? "checklist"
            if bySection[section] == nil { sections.append(section) }
            bySection[section, default: []].append(item)
        }
        for section in sections {
            var cases: [String] = []
            var failures = 0, errors = 0, skipped = 0
            var time = 0.0
            for item in bySection[section] ?? [] {
                let duration = item.number("/duration") ?? 0
                time += duration
                let message = item.text("/message") ?? ""
                let detail = "expected: \(item.text("/expected") ?? "")\nobserved: \(item.text("/observed") ?? "")\n\(message)"
                var body = ""
                switch item.text("/status") {
                case "failed":
                    failures += 1
                    body = "<failure message=\"\(Markup.escape(message))\" type=\"\(Markup.escape(item.text("/severity") ?? ""))\">\(Markup.escape(detail))</failure>"
                case "error":
                    errors += 1
                    body = "<error message=\"\(Markup.escape(message))\" type=\"error\">\(Markup.escape(detail))</error>"
                case "skipped":
                    skipped += 1
                    body = "<skipped message=\"\(Markup.escape(message))\"/>"
                case "waived":
                    skipped += 1
                    body = "<skipped message=\"\(Markup.escape("waived: " + message))\"/>"
                default:
                    body = "<system-out>\(Markup.escape(detail))</system-out>"
                }
                let title = item.text("/title") ?? ""
                cases.append(testcase(name: "\(item.text("/id") ?? ""): \(title)", classname: section, time: duration, body: body))
            }
            totals.tests += cases.count
            totals.failures += failures
            totals.errors += errors
            totals.skipped += skipped
            suites.append(suite(name: "checklist: \(section)", tests: cases.count, failures: failures, errors: errors, skipped: skipped,
                                time: time, timestamp: timestamp, cases: cases))
        }
        for comparison in ComparisonSection.junitSuites(report) {
            suites.append(comparison.xml)
            totals.tests += comparison.tests
            totals.failures += comparison.failures
            totals.skipped += comparison.skipped
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"loadgate readiness \(Markup.escape(report.text("/runId") ?? ""))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\">\n"
        out += suites.joined()
        out += "</testsuites>\n"
        return out
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
