import Foundation

/// A before/after latency spectrum for one step as inline SVG: the baseline dashed grey, the new
/// run solid, on HdrHistogram's log axis of 1/(1−p) (0%, 90%, 99%, … 99.999%) and a log latency axis. Kept beside the
/// comparison rather than in the report's chart helper so the two evolve without merge pain.
enum SpectrumOverlayChart {
    static func svg(title: String, baseline: [(percentile: Double, seconds: Double)], new: [(percentile: Double, seconds: Double)]) -> String {
        guard !baseline.isEmpty || !new.isEmpty else { return "" }
        let width = 520.0, height = 240.0, left = 56.0, bottom = 34.0, top = 34.0, right = 12.0, maxNines = 5.0
        // Log-scaled values: a before/after shift of the body (10 ms -> 30 ms) stays visible beside
        // a tail that reaches seconds, where a linear axis would flatten both lines to the floor.
        let values = (baseline + new).map(\.seconds).filter { $0 > 0 }
        let low = log10(max(values.min() ?? 1e-3, 1e-6) / 1.2), high = log10(max(values.max() ?? 1e-3, 1e-6) * 1.2)
        let span = max(high - low, 0.3)
        func x(_ percentile: Double) -> Double {
            left + min(maxNines, log10(1 / max(1e-5, 1 - percentile / 100))) / maxNines * (width - left - right)
        }
        func y(_ seconds: Double) -> Double { height - bottom - (log10(max(seconds, 1e-6)) - low) / span * (height - bottom - top) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Markup.escape(title))\">"
        svg += "<text x=\"\(f(left))\" y=\"14\" style=\"font-weight:600;fill:#1b1f24\">\(Markup.escape(title))</text>"
        for (index, label) in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"].enumerated() {
            let gx = left + Double(index) / maxNines * (width - left - right)
            svg += "<line x1=\"\(f(gx))\" y1=\"\(f(top))\" x2=\"\(f(gx))\" y2=\"\(f(height - bottom))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(f(gx))\" y=\"\(f(height - bottom + 14))\" text-anchor=\"middle\">\(label)</text>"
        }
        let ticks = (-6...2).flatMap { exponent in [1.0, 2, 5].map { $0 * pow(10, Double(exponent)) } }
            .filter { log10($0) >= low && log10($0) <= low + span }
        for value in ticks {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(value)))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(y(value) + 3))\" text-anchor=\"end\">\(Markup.escape(Markup.seconds(value)))</text>"
        }
        let series: [(String, [(percentile: Double, seconds: Double)], String, String)] = [
            ("baseline", baseline, "#8c959f", " stroke-dasharray=\"5 3\""), ("new", new, "#0969da", ""),
        ]
        for (index, entry) in series.enumerated() where !entry.1.isEmpty {
            let points = entry.1.map { "\(f(x($0.percentile))),\(f(y($0.seconds)))" }.joined(separator: " ")
            svg += "<polyline class=\"series \(entry.0)\" fill=\"none\" stroke=\"\(entry.2)\" stroke-width=\"1.8\"\(entry.3) points=\"\(points)\"/>"
            svg += "<text x=\"\(f(left + 6 + Double(index) * 90))\" y=\"\(f(top - 6))\" style=\"fill:\(entry.2)\">■ \(entry.0)</text>"
        }
        return "<div class=\"chart\">" + svg + "</svg></div>"
    }
}
