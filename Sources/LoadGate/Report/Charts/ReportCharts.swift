import Foundation

/// The charts of LoadGate's HTML pages, each a function from typed data to one `<svg>`, drawn
/// with `SVGCanvas` and `ChartScale`. Reusable: the spectrum takes any number of series (one per
/// step, or a before and an after run), thresholds are plain values.
public enum ReportCharts {
    /// One line of a percentile spectrum: (percentile 0...100, seconds) points.
    public struct SpectrumSeries: Sendable {
        public var name: String
        public var points: [(percentile: Double, seconds: Double)]
        public var count: Int
        public var dashed: Bool

        public init(name: String, points: [(percentile: Double, seconds: Double)], count: Int, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.count = count
            self.dashed = dashed
        }
    }

    /// A latency SLO drawn as a horizontal line (and a dot at its percentile when it has one).
    public struct Threshold: Sendable {
        public var label: String
        public var seconds: Double
        public var percentile: Double?
        public var passed: Bool
    }

    static func color(_ index: Int) -> String { SVGCanvas.palette[index % SVGCanvas.palette.count] }

    /// Latency by percentile, log-log: x in nines of 1/(1−p) up to the largest count's resolution
    /// and a final "max" point; y latency on whole decades. Every threshold is drawn.
    public static func spectrum(_ series: [SpectrumSeries], thresholds: [Threshold], title: String = "Latency by percentile (from intended start)",
                                yTitle: String = "latency (log scale)") -> String {
        let drawn = series.filter { !$0.points.isEmpty }
        guard !drawn.isEmpty else { return "" }
        let maxCount = drawn.map(\.count).max() ?? 1
        let nines = Swift.min(6, Swift.max(2, Int(log10(Double(Swift.max(maxCount, 1))).rounded(.up))))
        let values = drawn.flatMap { $0.points.map(\.seconds) }.filter { $0 > 0 } + thresholds.map(\.seconds)
        var canvas = SVGCanvas(title: title, ariaLabel: "latency by percentile")
        let x = ChartScale.nines(nines, start: canvas.left, end: canvas.right)
        let y = ChartScale.log(values.min() ?? 1e-3, values.max() ?? 1, start: canvas.bottom, end: canvas.top)
        canvas.xAxis(x, title: "percentile (log scale of 1/(1−p))", format: { _ in "" })
        canvas.yAxis(y, title: yTitle, format: SVGCanvas.secondsLabel)
        for (index, entry) in drawn.enumerated() {
            let color = color(index)
            canvas.polyline(entry.points.map { (x.position($0.percentile), y.position($0.seconds)) }, color: color, dashed: entry.dashed,
                            cssClass: "series spectrum", name: entry.name)
            canvas.addLegend(.init("\(entry.name) (\(entry.count) samples)", color: color, mark: entry.dashed ? .dashed : .line))
        }
        for threshold in thresholds {
            let color = threshold.passed ? SVGCanvas.passColor : SVGCanvas.failColor
            canvas.threshold(y: y.position(threshold.seconds), color: color, label: "SLO \(threshold.label) (\(threshold.passed ? "met" : "FAILED"))")
            if let percentile = threshold.percentile {
                canvas.dot(x: x.position(percentile), y: y.position(threshold.seconds), color: color, radius: 3.5, cssClass: "threshold-point", hollow: true)
            }
        }
        return wrap(canvas.render())
    }

    /// Per-second latency percentiles (top panel, log scale) over throughput with failures
    /// (bottom panel). A partial second (span < 1 s) is drawn as a bar as wide as its span at
    /// its true rate (requests / span), and its percentiles are left out of the lines.
    public static func timeline(_ points: [ReportView.SecondPoint], thresholds: [Threshold], title: String) -> String {
        guard !points.isEmpty else { return "" }
        var canvas = SVGCanvas(title: title, ariaLabel: "latency percentiles, throughput and errors per second", plotHeight: 300)
        let start = Double(points.map(\.t).min() ?? 0)
        let end = points.map { Double($0.t) + Swift.max(0, Swift.min($0.spanSeconds, 1)) }.max() ?? start + 1
        let x = ChartScale.linear(start, Swift.max(end, start + 1), start: canvas.left, end: canvas.right)
        let split = canvas.top + (canvas.bottom - canvas.top) * 0.6
        let full = points.filter { $0.spanSeconds >= 1 }
        let latencies = full.flatMap { [$0.p50, $0.p95, $0.p99].compactMap { $0 } }.filter { $0 > 0 } + thresholds.map(\.seconds)
        let y = ChartScale.log(latencies.min() ?? 1e-3, latencies.max() ?? 1, start: split - 6, end: canvas.top)
        let rates = points.map { Double($0.requests) / Swift.max($0.spanSeconds, 1e-3) }
        let rateScale = ChartScale.linear(0, Swift.max(rates.max() ?? 1, 1) * 1.1, start: canvas.bottom, end: split + 6)
        canvas.xAxis(x, title: "seconds since start (s)", format: { DurationText.trim($0) })
        canvas.yAxis(y, title: "latency (log) · requests/s", format: SVGCanvas.secondsLabel)
        for tick in rateScale.ticks(format: { DurationText.trim($0) }) {
            canvas.note(x: canvas.left - 4, y: rateScale.position(tick.value) + 3, "\(tick.label)/s", anchor: "end")
        }
        canvas.rect(x: canvas.left, y: split - 1, width: canvas.right - canvas.left, height: 2, color: "#d0d7de", cssClass: "divider")
        let slotWidth = (x.position(start + 1) - x.position(start))
        var partial = 0
        for (point, rate) in zip(points, rates) {
            let span = Swift.max(0, Swift.min(point.spanSeconds, 1))
            let isPartial = span < 1
            if isPartial { partial += 1 }
            let left = x.position(Double(point.t)) + slotWidth * 0.08
            let barWidth = slotWidth * span - slotWidth * 0.16 * span
            let top = rateScale.position(rate)
            canvas.rect(x: left, y: top, width: barWidth, height: canvas.bottom - top, color: "#54aeff", cssClass: isPartial ? "bar throughput partial" : "bar throughput",
                        opacity: isPartial ? 0.4 : nil, extra: " data-t=\"\(point.t)\" data-span=\"\(SVGCanvas.format(span))\"")
            if point.failures > 0 {
                let failTop = rateScale.position(Double(point.failures) / Swift.max(span, 1e-3))
                canvas.rect(x: left, y: failTop, width: barWidth, height: canvas.bottom - failTop, color: SVGCanvas.failColor, cssClass: "bar failures")
            }
        }
        for (index, key) in ["p50", "p95", "p99"].enumerated() {
            let line = full.compactMap { point -> (Double, Double)? in
                let value = key == "p50" ? point.p50 : key == "p95" ? point.p95 : point.p99
                guard let value else { return nil }
                return (x.position(Double(point.t) + 0.5), y.position(value))
            }
            canvas.polyline(line, color: color(index), cssClass: "series timeline", name: key)
            canvas.addLegend(.init("\(key) latency per second", color: color(index)))
        }
        canvas.addLegend(.init("requests per second", color: "#54aeff", mark: .box))
        canvas.addLegend(.init("failures per second", color: SVGCanvas.failColor, mark: .box))
        if partial > 0 { canvas.addLegend(.init("partial second (no percentiles)", color: "#54aeff", mark: .hatched)) }
        for threshold in thresholds where threshold.percentile.map({ [50.0, 95, 99].contains($0) }) ?? false {
            canvas.threshold(y: y.position(threshold.seconds), color: threshold.passed ? SVGCanvas.passColor : SVGCanvas.failColor,
                             label: "SLO \(threshold.label)")
        }
        return wrap(canvas.render())
    }

    /// How many requests fell in each latency bin (log-spaced bins on a log axis).
    public static func histogram(_ bins: [(lower: Double, upper: Double, count: Int)], title: String) -> String {
        let used = bins.filter { $0.upper > 0 }
        guard !used.isEmpty, used.contains(where: { $0.count > 0 }) else { return "" }
        var canvas = SVGCanvas(title: title, ariaLabel: "latency histogram", plotHeight: 160)
        let x = ChartScale.log(used.map(\.lower).filter { $0 > 0 }.min() ?? used[0].upper / 2, used.map(\.upper).max() ?? 1,
                               start: canvas.left, end: canvas.right)
        let maxCount = Double(used.map(\.count).max() ?? 1)
        let y = ChartScale.linear(0, maxCount * 1.1, start: canvas.bottom, end: canvas.top)
        canvas.xAxis(x, title: "latency (log scale)", format: SVGCanvas.secondsLabel)
        canvas.yAxis(y, title: "requests", format: { DurationText.trim($0) })
        for bin in used where bin.count > 0 {
            let left = x.position(Swift.max(bin.lower, x.lower)), rightEdge = x.position(bin.upper)
            canvas.rect(x: left + 0.5, y: y.position(Double(bin.count)), width: rightEdge - left - 1, height: canvas.bottom - y.position(Double(bin.count)),
                        color: "#0969da", cssClass: "bar histogram")
        }
        canvas.addLegend(.init("requests per latency bin", color: "#0969da", mark: .box))
        return wrap(canvas.render())
    }

    /// Corrected latency beside service time and the generator's start lateness, at the same
    /// percentiles on one log axis: shows whether latency came from the target or the generator.
    public static func decomposition(_ rows: [(name: String, stats: ReportView.Stats)], title: String) -> String {
        let keys = [("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("max", "max")]
        let values = rows.flatMap { row in keys.compactMap { row.stats.value($0.0) } }.filter { $0 > 0 }
        guard !rows.isEmpty, !values.isEmpty else { return "" }
        var canvas = SVGCanvas(title: title, ariaLabel: "latency, service time and lateness", plotHeight: 150, leftMargin: 64)
        let x = ChartScale.log(values.min() ?? 1e-3, values.max() ?? 1, start: canvas.left, end: canvas.right)
        canvas.xAxis(x, title: "time (log scale)", format: SVGCanvas.secondsLabel)
        let band = (canvas.bottom - canvas.top) / Double(keys.count)
        for (row, key) in keys.enumerated() {
            let centre = canvas.top + band * (Double(row) + 0.5)
            canvas.note(x: canvas.left - 6, y: centre + 3, key.1, anchor: "end")
            for (index, entry) in rows.enumerated() {
                guard let value = entry.stats.value(key.0) else { continue }
                let offset = (Double(index) - Double(rows.count - 1) / 2) * 7
                canvas.dot(x: x.position(Swift.max(value, x.lower)), y: centre + offset, color: color(index), radius: 3.5, cssClass: "point decomposition")
            }
        }
        for (index, entry) in rows.enumerated() { canvas.addLegend(.init(entry.name, color: color(index), mark: .dot)) }
        return wrap(canvas.render())
    }

    /// Status codes and failure classes as horizontal bars with their counts.
    public static func breakdown(_ entries: [(label: String, count: Int, color: String)], title: String) -> String {
        guard !entries.isEmpty else { return "" }
        var canvas = SVGCanvas(title: title, ariaLabel: "status and failure breakdown", plotHeight: Double(entries.count) * 20, leftMargin: 150)
        let maxCount = Double(entries.map(\.count).max() ?? 1)
        let x = ChartScale.linear(0, Swift.max(maxCount, 1) * 1.15, start: canvas.left, end: canvas.right)
        canvas.xAxis(x, title: "requests", format: { DurationText.trim($0) })
        for (index, entry) in entries.enumerated() {
            let y = canvas.top + Double(index) * 20
            canvas.note(x: canvas.left - 6, y: y + 13, entry.label, anchor: "end")
            let width = x.position(Double(entry.count)) - canvas.left
            canvas.rect(x: canvas.left, y: y + 3, width: Swift.max(width, 1), height: 14, color: entry.color)
            canvas.note(x: canvas.left + width + 4, y: y + 13, String(entry.count))
        }
        return wrap(canvas.render())
    }

    /// Latency percentiles (log scale) and error rate against offered rate, for a capacity search.
    public static func offeredRate(_ steps: [(offered: Double, p50: Double?, p95: Double?, p99: Double?, errorPercent: Double?)],
                                   thresholds: [Threshold], capacity: Double?, capacityLabel: String) -> String {
        guard !steps.isEmpty else { return "" }
        var canvas = SVGCanvas(title: "Latency percentiles and error rate against offered rate", ariaLabel: "latency and error rate against offered rate",
                               width: 720, plotHeight: 240, rightAxis: true)
        let x = ChartScale.linear(0, (steps.map(\.offered).max() ?? 1) * 1.05, start: canvas.left, end: canvas.right)
        let latencies = steps.flatMap { [$0.p50, $0.p95, $0.p99].compactMap { $0 } }.filter { $0 > 0 } + thresholds.map(\.seconds)
        let y = ChartScale.log(latencies.min() ?? 1e-3, latencies.max() ?? 1, start: canvas.bottom, end: canvas.top)
        let errors = ChartScale.linear(0, 100, start: canvas.bottom, end: canvas.top)
        canvas.xAxis(x, title: "offered rate (iterations/s)", format: { DurationText.trim($0) + "/s" })
        canvas.yAxis(y, title: "latency, log scale", format: SVGCanvas.secondsLabel)
        canvas.yAxis(errors, title: "error rate (%)", side: .right, color: SVGCanvas.failColor, format: { DurationText.trim($0) + "%" })
        for (index, key) in ["p50", "p95", "p99"].enumerated() {
            let points = steps.compactMap { step -> (Double, Double)? in
                guard let value = key == "p50" ? step.p50 : key == "p95" ? step.p95 : step.p99 else { return nil }
                return (x.position(step.offered), y.position(value))
            }
            canvas.polyline(points, color: color(index), cssClass: "series capacity", name: key)
            for point in points { canvas.dot(x: point.0, y: point.1, color: color(index), radius: 2.5) }
            canvas.addLegend(.init("\(key) latency", color: color(index)))
        }
        canvas.polyline(steps.map { (x.position($0.offered), errors.position($0.errorPercent ?? 0)) }, color: SVGCanvas.failColor, width: 1.4,
                        dashed: true, cssClass: "series errors", name: "error rate")
        canvas.addLegend(.init("error rate (right axis)", color: SVGCanvas.failColor, mark: .dashed))
        for threshold in thresholds {
            canvas.threshold(y: y.position(threshold.seconds), color: "#57606a", label: "SLO \(threshold.label)")
        }
        if let capacity { canvas.marker(x: x.position(capacity), color: SVGCanvas.passColor, label: capacityLabel) }
        return wrap(canvas.render())
    }

    /// A windowed SLO: one bar per window (failing windows red) against the threshold line.
    /// - Parameters:
    ///   - values: the SLO's metric per window, nil where a window had no samples.
    ///   - isLatency: seconds (log axis) rather than a percent or a rate (linear axis).
    ///   - starts: each window's start second (nil: windows follow each other from 0).
    ///   - passed: each window's own result (nil: judged by `holds`).
    public static func windows(_ values: [Double?], starts: [Double]? = nil, passed: [Bool]? = nil, windowSeconds: Double, threshold: Double?,
                               holds: (Double) -> Bool, isLatency: Bool, unit: String, title: String) -> String {
        let present = values.compactMap { $0 }
        guard !present.isEmpty, windowSeconds > 0 else { return "" }
        let startOf = { (index: Int) -> Double in starts?[index] ?? Double(index) * windowSeconds }
        let limits = present + (threshold.map { [$0] } ?? [])
        var canvas = SVGCanvas(title: title, ariaLabel: "SLO per window", plotHeight: 120)
        let x = ChartScale.linear(0, startOf(values.count - 1) + windowSeconds, start: canvas.left, end: canvas.right)
        let y = isLatency
            ? ChartScale.log(limits.filter { $0 > 0 }.min() ?? 1e-3, limits.max() ?? 1, start: canvas.bottom, end: canvas.top)
            : ChartScale.linear(Swift.min(0, present.min() ?? 0), (limits.max() ?? 1) * 1.1, start: canvas.bottom, end: canvas.top)
        let format: (Double) -> String
        if isLatency { format = SVGCanvas.secondsLabel } else { format = { (value: Double) -> String in DurationText.trim(value) + unit } }
        canvas.xAxis(x, title: "seconds since start (s), windows of \(DurationText.trim(windowSeconds)) s", format: { DurationText.trim($0) })
        canvas.yAxis(y, title: isLatency ? "latency (log scale)" : "value (\(unit))", format: format)
        var failed = 0
        for (index, value) in values.enumerated() {
            guard let value else { continue }
            let passes = passed?[index] ?? holds(value)
            if !passes { failed += 1 }
            let left = x.position(startOf(index)), right = x.position(startOf(index) + windowSeconds)
            let top = y.position(value)
            canvas.rect(x: left + 1, y: top, width: right - left - 2, height: canvas.bottom - top, color: passes ? "#54aeff" : SVGCanvas.failColor,
                        cssClass: passes ? "bar window" : "bar window failing")
        }
        if let threshold { canvas.threshold(y: y.position(threshold), color: "#57606a", label: "threshold \(format(threshold))") }
        canvas.addLegend(.init("window met the SLO", color: "#54aeff", mark: .box))
        if failed > 0 { canvas.addLegend(.init("window failed (\(failed))", color: SVGCanvas.failColor, mark: .box)) }
        return wrap(canvas.render())
    }

    static func wrap(_ svg: String) -> String { "<div class=\"chart\">" + svg + "</div>" }
}
