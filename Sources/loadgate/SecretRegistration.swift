import LoadGate

/// Tells `Redaction` every secret of a command's inputs before anything is printed or written:
/// the value of each `${env.NAME}` referenced anywhere in the input files, plus what the loaders
/// collected (checklist secrets, Redis passwords, URL user-info) and the signing key. Values too
/// short to mask without corrupting other text are named in a warning (never printed).
enum SecretRegistration {
    static func inputs(_ files: [String], environment: [String: String]) {
        let references = Redaction.environmentReferences(inFiles: files, environment: environment)
        Redaction.register(references.map(\.value))
        for reference in references where reference.value.count < Redaction.minimumLength {
            StandardError.write("warning: ${env.\(reference.name)} holds fewer than \(Redaction.minimumLength) characters: "
                                + "too short to mask in outputs without corrupting other text; if it is a secret, use a longer one\n")
        }
    }

    /// Registers what the loaders collected from credential positions (headers, bodies, checklist
    /// secrets, Redis passwords). A value there that is only a few digits cannot be masked (it
    /// would rewrite equal numbers in the reports, `Redaction.isMaskable`): warned, never printed.
    /// The same digits elsewhere (a port in a target) are not a credential and pass silently.
    static func loaded(_ secrets: [String]) {
        Redaction.register(secrets)
        let digitsOnly = Set(secrets).filter { $0.count >= Redaction.minimumLength && !Redaction.isMaskable($0) }
        if !digitsOnly.isEmpty {
            StandardError.write("warning: \(digitsOnly.count) credential value(s) in headers, bodies or secrets checks hold only digits, "
                                + "fewer than \(Redaction.anywhereLength): not masked in outputs, as masking would rewrite equal numbers "
                                + "in the reports; use a longer credential\n")
        }
    }
}
