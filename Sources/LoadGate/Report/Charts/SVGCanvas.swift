import Foundation

/// Builds one inline SVG chart: a title, a plot area with gridlines and axis labels (each axis
/// has a title with its unit), data marks, and a legend laid out BELOW the plot area so that it
/// never covers data. The one home for SVG markup in LoadGate's reports; every text goes through
/// `Markup.escape`. No script, fixed pixel size (prints on A4 at 520 px per chart).
public struct SVGCanvas: Sendable {
    public struct LegendEntry: Sendable {
        public enum Mark: Sendable { case line, dashed, box, hatched, dot }
        public var label: String
        public var color: String
        public var mark: Mark

        public init(_ label: String, color: String, mark: Mark = .line) {
            self.label = label
            self.color = color
            self.mark = mark
        }
    }

    public static let palette = ["#0969da", "#bf3989", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#953800"]
    public static let failColor = "#cf222e"
    public static let passColor = "#1a7f37"

    public let width: Double
    /// Plot area.
    public let left: Double, top: Double, right: Double, bottom: Double
    private var marks = ""
    private var axes = ""
    private var legend: [LegendEntry] = []
    private let title: String
    private let label: String

    /// - Parameters:
    ///   - plotHeight: height of the plot area; the legend adds rows below the x-axis title.
    ///   - rightAxis: leave room for a right-hand axis.
    public init(title: String, ariaLabel: String, width: Double = 520, plotHeight: Double = 200, rightAxis: Bool = false, leftMargin: Double = 64) {
        self.title = title
        self.label = ariaLabel
        self.width = width
        left = leftMargin
        top = 26
        right = width - (rightAxis ? 60 : 16)
        bottom = top + plotHeight
    }

    // MARK: axes

    /// Vertical gridlines and labels for `scale` along x, and the x-axis title under them.
    public mutating func xAxis(_ scale: ChartScale, title axisTitle: String, format: (Double) -> String) {
        for tick in scale.ticks(format: format) {
            let x = scale.position(tick.value)
            axes += "<line class=\"grid\" x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"#eaeef2\"/>"
            axes += "<text class=\"tick x\" x=\"\(f(x))\" y=\"\(f(bottom + 13))\" text-anchor=\"middle\">\(Markup.escape(tick.label))</text>"
        }
        for value in scale.minorTicks() {
            let x = scale.position(value)
            axes += "<line class=\"grid minor\" x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"#f3f4f6\"/>"
        }
        axes += "<text class=\"axis-title x\" x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 28))\" text-anchor=\"middle\">\(Markup.escape(axisTitle))</text>"
    }

    /// Horizontal gridlines and labels for `scale` along y (left side, or right side without gridlines).
    public mutating func yAxis(_ scale: ChartScale, title axisTitle: String, side: Side = .left, color: String? = nil, format: (Double) -> String) {
        let fill = color.map { " style=\"fill:\($0)\"" } ?? ""
        for tick in scale.ticks(format: format) {
            let y = scale.position(tick.value)
            if side == .left {
                axes += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#eaeef2\"/>"
                axes += "<text class=\"tick y\" x=\"\(f(left - 4))\" y=\"\(f(y + 3))\" text-anchor=\"end\"\(fill)>\(Markup.escape(tick.label))</text>"
            } else {
                axes += "<text class=\"tick y2\" x=\"\(f(right + 4))\" y=\"\(f(y + 3))\"\(fill)>\(Markup.escape(tick.label))</text>"
            }
        }
        if side == .left {
            for value in scale.minorTicks() {
                let y = scale.position(value)
                axes += "<line class=\"grid minor\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#f3f4f6\"/>"
            }
        }
        let x = side == .left ? 11.0 : width - 6
        let middle = (top + bottom) / 2
        axes += "<text class=\"axis-title y\" x=\"\(f(x))\" y=\"\(f(middle))\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(x)) \(f(middle)))\"\(fill)>\(Markup.escape(axisTitle))</text>"
    }

    public enum Side: Sendable { case left, right }

    // MARK: marks

    /// A data line through `points` (pixel coordinates); `cssClass` lets tests and the compare
    /// view find series; `name` is written as the series' data-name.
    public mutating func polyline(_ points: [(x: Double, y: Double)], color: String, width strokeWidth: Double = 1.6, dashed: Bool = false,
                                  cssClass: String = "series", name: String? = nil) {
        guard !points.isEmpty else { return }
        let text = points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"5 3\"" : ""
        let dataName = name.map { " data-name=\"\(Markup.escape($0))\"" } ?? ""
        marks += "<polyline class=\"\(cssClass)\"\(dataName) fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(f(strokeWidth))\"\(dash) points=\"\(text)\"/>"
    }

    public mutating func rect(x: Double, y: Double, width rectWidth: Double, height: Double, color: String, cssClass: String = "bar",
                              opacity: Double? = nil, extra: String = "") {
        let alpha = opacity.map { " fill-opacity=\"\(f($0))\"" } ?? ""
        marks += "<rect class=\"\(cssClass)\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(Swift.max(rectWidth, 0)))\" height=\"\(f(Swift.max(height, 0)))\" fill=\"\(color)\"\(alpha)\(extra)/>"
    }

    public mutating func dot(x: Double, y: Double, color: String, radius: Double = 3, cssClass: String = "point", hollow: Bool = false) {
        let fill = hollow ? "fill=\"#fff\" stroke=\"\(color)\" stroke-width=\"1.5\"" : "fill=\"\(color)\""
        marks += "<circle class=\"\(cssClass)\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(radius))\" \(fill)/>"
    }

    /// A horizontal line across the plot at pixel `y` (an SLO threshold); `label` is its legend text.
    public mutating func threshold(y: Double, color: String, label thresholdLabel: String, cssClass: String = "threshold") {
        marks += "<line class=\"\(cssClass)\" data-label=\"\(Markup.escape(thresholdLabel))\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"1.2\" stroke-dasharray=\"6 3\"/>"
        legend.append(LegendEntry(thresholdLabel, color: color, mark: .dashed))
    }

    /// A vertical line across the plot at pixel `x` (a capacity marker).
    public mutating func marker(x: Double, color: String, label markerLabel: String) {
        marks += "<line class=\"marker\" data-label=\"\(Markup.escape(markerLabel))\" x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        legend.append(LegendEntry(markerLabel, color: color, mark: .line))
    }

    /// A text placed in the plot area (use sparingly: only where it cannot cover a mark).
    public mutating func note(x: Double, y: Double, _ text: String, color: String = "#57606a", anchor: String = "start") {
        marks += "<text class=\"note\" x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" style=\"fill:\(color)\">\(Markup.escape(text))</text>"
    }

    public mutating func addLegend(_ entry: LegendEntry) { legend.append(entry) }

    // MARK: output

    /// The finished `<svg>`: height grows with the legend's rows.
    public func render() -> String {
        let legendTop = bottom + 42
        let columnWidth = 250.0
        let perRow = Swift.max(1, SafeNumber.clampedInt((width - 8) / columnWidth))
        let rows = (legend.count + perRow - 1) / perRow
        let height = legendTop + Double(rows) * 15 + 4
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height.rounded(.up)))\" viewBox=\"0 0 \(Int(width)) \(Int(height.rounded(.up)))\" role=\"img\" aria-label=\"\(Markup.escape(label))\">"
        svg += "<text class=\"chart-title\" x=\"\(f(left))\" y=\"15\" style=\"font-weight:600;fill:#1b1f24;font-size:12px\">\(Markup.escape(title))</text>"
        svg += axes
        svg += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#d0d7de\"/>"
        svg += marks
        for (index, entry) in legend.enumerated() {
            let x = 8 + Double(index % perRow) * columnWidth
            let y = legendTop + Double(index / perRow) * 15
            svg += "<g class=\"legend\">"
            switch entry.mark {
            case .line: svg += "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 18))\" y2=\"\(f(y - 4))\" stroke=\"\(entry.color)\" stroke-width=\"2\"/>"
            case .dashed: svg += "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 18))\" y2=\"\(f(y - 4))\" stroke=\"\(entry.color)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            case .box: svg += "<rect x=\"\(f(x + 3))\" y=\"\(f(y - 9))\" width=\"12\" height=\"9\" fill=\"\(entry.color)\"/>"
            case .hatched: svg += "<rect x=\"\(f(x + 3))\" y=\"\(f(y - 9))\" width=\"12\" height=\"9\" fill=\"\(entry.color)\" fill-opacity=\"0.35\" stroke=\"\(entry.color)\" stroke-dasharray=\"2 1\"/>"
            case .dot: svg += "<circle cx=\"\(f(x + 9))\" cy=\"\(f(y - 4))\" r=\"3.5\" fill=\"\(entry.color)\"/>"
            }
            svg += "<text x=\"\(f(x + 23))\" y=\"\(f(y))\">\(Markup.escape(Self.fit(entry.label, width: columnWidth - 28)))</text></g>"
        }
        return svg + "</svg>"
    }

    /// Shortens a label to what fits `width` pixels at the chart font (≈5.6 px per character).
    static func fit(_ text: String, width: Double) -> String {
        let limit = Swift.max(4, SafeNumber.clampedInt(width / 5.6))
        return text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Pixel coordinates at 0.1 px: the charts' plotting resolution.
    public static func format(_ value: Double) -> String { String(format: "%.1f", value) }
    private func f(_ value: Double) -> String { Self.format(value) }

    /// Seconds as a short latency label with its unit ("250µs", "12ms", "1.5s").
    public static func secondsLabel(_ seconds: Double) -> String {
        if seconds <= 0 { return "0" }
        return DurationText.format(nanos: SafeNumber.clampedNanos(seconds: seconds))
    }
}
