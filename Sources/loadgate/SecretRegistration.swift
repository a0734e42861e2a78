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

    static func loaded(_ secrets: [String]) { Redaction.register(secrets) }
}
