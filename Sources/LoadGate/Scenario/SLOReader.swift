/// Reading `slos`: each entry is handed to the SLO parser as it is (the grammar lives there, not
/// here); this file only locates the entry and checks that a named step exists.
extension ScenarioLoader {
    /// The SLOs and whether they are the platform defaults (no `slos` key).
    func slos(_ value: JSONValue?, stepNames: [String], load: LoadModel?, _ r: FieldReader) -> (slos: [SLOExpression], areDefaults: Bool) {
        guard let value else {
            return (SLOExpression.defaults.map { try! SLOExpression.parse($0).get() }, true)
        }
        guard let items = r.array(value, at: "slos", expected: "an array of SLOs such as [\"p95 < 2s\"]") else { return ([], false) }
        var slos: [SLOExpression] = []
        for (index, item) in items.enumerated() {
            if let slo = self.slo(item, at: "slos[\(index)]", stepNames: stepNames, load: load, r) { slos.append(slo) }
        }
        return (slos, false)
    }

    /// One entry (a string, or the object form with `abortOnFail`): `SLODeclaration` reads it; a
    /// step it names must be a step or phase of the scenario, and its window must fit the run.
    private func slo(_ item: JSONValue, at path: String, stepNames: [String], load: LoadModel?, _ r: FieldReader) -> SLOExpression? {
        switch SLODeclaration.decode(item) {
        case let .slo(slo):
            if let step = slo.step, !stepNames.contains(step) {
                let hint = closestMatch(to: step, in: stepNames).map { "; did you mean '\($0)'?" } ?? ""
                r.report(path, "\"\(slo.text)\" names step '\(step)', which the scenario does not have\(hint)")
            }
            if let load, let problem = SLODeclaration.windowProblem(slo, load: load) { r.report(path, problem) }
            return slo
        case let .problems(problems):
            for problem in problems { r.report(path + problem.path, problem.message) }
            return nil
        }
    }
}
