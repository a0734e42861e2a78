/// Command-line overrides of a scenario (`--target`, `--rate`, `--vus`, `--duration`), applied to
/// the document before validation so that the result is checked exactly like a file.
public struct LoadOverrides: Sendable, Equatable {
    public var target: String?
    public var rate: Double?
    public var vus: Int?
    public var duration: String?

    public init(target: String? = nil, rate: Double? = nil, vus: Int? = nil, duration: String? = nil) {
        self.target = target
        self.rate = rate
        self.vus = vus
        self.duration = duration
    }

    public var isEmpty: Bool { target == nil && rate == nil && vus == nil && duration == nil }

    /// Returns `document` with the overrides applied. `--rate` switches to the open model and
    /// `--vus` to the closed model, keeping settings that still apply (duration, connections).
    func apply(to document: JSONValue) -> JSONValue {
        guard case var .object(members) = document else { return document }
        func set(_ key: String, _ value: JSONValue, in list: inout [(key: String, value: JSONValue)]) {
            if let index = list.firstIndex(where: { $0.key == key }) { list[index].value = value } else { list.append((key, value)) }
        }
        if let target { set("target", .string(target), in: &members) }
        if rate != nil || vus != nil || duration != nil {
            var load: [(key: String, value: JSONValue)] = []
            if case let .object(existing)? = document["load"] { load = existing }
            if let rate {
                load.removeAll { ["vus", "iterations", "stages", "rate"].contains($0.key) }
                load.append(("rate", .number(rate)))
            }
            if let vus {
                load.removeAll { ["rate", "stages", "connections", "maxLateness", "tolerance", "vus"].contains($0.key) }
                load.append(("vus", .number(Double(vus))))
            }
            if let duration {
                load.removeAll { $0.key == "stages" }
                set("duration", .string(duration), in: &load)
            }
            set("load", .object(load), in: &members)
        }
        return .object(members)
    }
}
