import Foundation
@testable import LoadGate
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A report page read the strict way: `xmllint --noout` must accept it as well-formed XML (the
/// reports are written as XML-compatible HTML), then Foundation's XMLParser builds an element
/// tree the tests query. Any unclosed or mismatched tag fails the read.
final class StrictPage {
    final class Element {
        let name: String
        let attributes: [String: String]
        var children: [Element] = []
        var text = ""
        weak var parent: Element?

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        subscript(_ attribute: String) -> String? { attributes[attribute] }

        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }

        /// Every descendant (depth first) that matches.
        func all(_ predicate: (Element) -> Bool) -> [Element] {
            var out: [Element] = []
            for child in children {
                if predicate(child) { out.append(child) }
                out += child.all(predicate)
            }
            return out
        }

        func all(named name: String, class cls: String? = nil) -> [Element] {
            all { $0.name == name && (cls == nil || $0.classes.contains(cls!)) }
        }

        /// Text of this element and its descendants.
        var fullText: String { text + children.map(\.fullText).joined() }

        func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
    }

    struct ReadError: Error, CustomStringConvertible { let description: String }

    let root: Element

    init(path: String) throws {
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        lint.arguments = ["--noout", "--nonet", path]
        let errors = Pipe()
        lint.standardError = errors
        try lint.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        guard lint.terminationStatus == 0 else { throw ReadError(description: "xmllint refused \(path): \(message)") }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), parser.parserError == nil, builder.problem == nil, builder.stack.count == 1 else {
            throw ReadError(description: "XMLParser refused \(path): \(builder.problem ?? parser.parserError.map { "\($0)" } ?? "unbalanced")")
        }
        root = builder.document
    }

    convenience init(html: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString).html")
        try Data(html.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        try self.init(path: url.path)
    }

    private final class Builder: NSObject, XMLParserDelegate {
        let document = Element(name: "#document", attributes: [:])
        lazy var stack: [Element] = [document]
        var problem: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let element = Element(name: name, attributes: attributes)
            element.parent = stack.last
            stack.last?.children.append(element)
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard stack.count > 1, stack.last?.name == name else {
                problem = "mismatched </\(name)>"
                return
            }
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { problem = "\(parseError)" }
    }
}

/// Reading a chart back the way a reader does: from its tick labels to values.
enum ChartReader {
    /// (tick label, pixel) pairs of one axis of an `<svg>` (`kind` "x", "y" or "y2").
    static func ticks(_ svg: StrictPage.Element, _ kind: String) -> [(label: String, pixel: Double)] {
        svg.all(named: "text", class: "tick").filter { $0.classes.contains(kind) }.compactMap { text in
            guard let pixel = text.number(kind == "x" ? "x" : "y") else { return nil }
            return (text.fullText, kind == "x" ? pixel : pixel - 3)
        }
    }

    /// Seconds from a latency label such as "10ms", "1s", "100µs".
    static func seconds(_ label: String) -> Double? {
        DurationText.parseNanos(label).map { Double($0) / 1e9 }
    }

    /// The latency at pixel `y` on a log axis, interpolated between its decade ticks.
    static func logValue(atPixel y: Double, ticks: [(label: String, pixel: Double)]) -> Double? {
        let decades = ticks.compactMap { tick in seconds(tick.label).map { (value: $0, pixel: tick.pixel) } }.filter { $0.value > 0 }
        guard let first = decades.first, let last = decades.last, first.pixel != last.pixel else { return nil }
        let fraction = (y - first.pixel) / (last.pixel - first.pixel)
        return pow(10, log10(first.value) + fraction * (log10(last.value) - log10(first.value)))
    }

    static func points(_ polyline: StrictPage.Element) -> [(x: Double, y: Double)] {
        (polyline["points"] ?? "").split(separator: " ").compactMap { pair in
            let parts = pair.split(separator: ",").compactMap { Double($0) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }

    /// The y of a polyline at pixel x (interpolated between its points).
    static func y(of points: [(x: Double, y: Double)], atX x: Double) -> Double? {
        for (a, b) in zip(points, points.dropFirst()) where a.x <= x && x <= b.x {
            if b.x == a.x { return a.y }
            return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
        }
        return nil
    }
}
