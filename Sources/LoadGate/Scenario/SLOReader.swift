/// Reading `slos`: each entry is handed to the SLO parser as it is (the grammar lives there, not
/// here); this file only locates the entry and checks that a named step exists.
extension ScenarioLoader {
    /// The SLOs and whether they are the platform defaults (no `slos` key).
    func slos(_ value: JSONValue?, stepNames: [String], _ r: FieldReader) -> (slos: [SLOExpression], areDefaults: Bool) {
        guard let value else {
            return (SLOExpression.defaults.map { try! SLOExpression.parse($0).get() }, true)
        }
        guard let items = r.array(value, at: "slos", expected: "an array of strings such as [\"p95 < 2s\"]") else { return ([], false) }
        var slos: [SLOExpression] = []
        for (index, item) in items.enumerated() {
            if let slo = self.slo(item, at: "slos[\(index)]", stepNames: stepNames, r) { slos.append(slo) }
        }
        return (slos, false)
    }

    /// One entry: the SLO parser reads the text; a step it names must be a step or phase of the scenario.
    private func slo(_ item: JSONValue, at path: String, stepNames: [String], _ r: FieldReader) -> SLOExpression? {
        guard case let .string(text) = item else {
            r.report(path, "expected a string such as \"p95 < 2s\", found \(item.kindName)")
            return nil
        }
        switch SLOExpression.parse(text) {
        case let .success(slo):
            if let step = slo.step, !stepNames.contains(step) {
                let hint = closestMatch(to: step, in: stepNames).map { "; did you mean '\($0)'?" } ?? ""
                r.report(path, "\"\(text)\" names step '\(step)', which the scenario does not have\(hint)")
            }
            return slo
        case let .failure(error):
            r.report(path, "\"\(text)\" at character \(error.column): \(error.message)")
            return nil
        }
    }
}
