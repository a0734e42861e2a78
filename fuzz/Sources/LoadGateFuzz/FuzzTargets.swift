import CCurl
import CFuzzer
import CNet
import Foundation
@testable import LoadGate

/// libFuzzer entry points for every parser that reads input LoadGate does not control: files
/// written by many hands (scenarios, checklists, SLO expressions, JSON) and peers' replies (SSE
/// streams, JSON-RPC bodies, response headers, status codes, request heads sent to the demo
/// target, URLs from agent cards, the native engine's response parser and request bytes). One binary; `LOADGATE_FUZZ_TARGET` picks the target. A target
/// passes when nothing crashes, traps or hangs; scripts/fuzz runs each for a bounded time.
enum FuzzTarget: String, CaseIterable {
    case json, scenario, checklist, slo, sse, http
    case httpResponse = "http-response"
    case nativeURL = "native-url"

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["LOADGATE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set LOADGATE_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }()

    /// Checklist loading reads a path; inputs are written here first.
    static let checklistFile = FileManager.default.temporaryDirectory.appendingPathComponent("loadgate-fuzz-checklist-\(getpid()).json").path

    /// A slot whose header buffer receives the input (its libcurl handle is never used).
    nonisolated(unsafe) static let slot = Slot(handle: curl_easy_init()!, vu: 1, index: 0)

    func run(_ bytes: [UInt8]) {
        switch self {
        case .json:
            if let value = try? JSONParser.parse(bytes) {
                // The canonical writer is stable: what it writes parses back and writes the same bytes
                // (reports are digested). Numbers are normalized by design (12 significant digits).
                let text = JSONWriter.serialize(value, pretty: false)
                guard let again = try? JSONParser.parse(Array(text.utf8)) else { fatalError("the writer's output does not parse: \(text)") }
                let second = JSONWriter.serialize(again, pretty: false)
                guard second == text else { fatalError("the writer is not stable: \(text) then \(second)") }
                _ = value.resolve(pointer: "/a/0/~1b")
            }
        case .scenario:
            _ = try? ScenarioLoader(environment: ["TOKEN": "fuzz-token"]).load(bytes: bytes, file: "fuzz.json")
        case .checklist:
            // A plain write (FileManager.createFile syncs to disk, 10 ms per input).
            guard let file = fopen(Self.checklistFile, "w") else { return }
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            _ = try? ChecklistLoader(environment: ["TOKEN": "fuzz-token"]).load(path: Self.checklistFile)
        case .slo:
            _ = SLOExpression.parse(String(decoding: bytes, as: UTF8.self))
        case .sse:
            _ = ServerSentEvents.dataPayloads(bytes)
            let response = ExchangeResponse(transportFailure: nil, status: 200, headers: ["content-type": "text/event-stream"], body: bytes,
                                            sentNanos: 0, firstBodyNanos: 0, doneNanos: 0)
            _ = JSONRPC.reply(to: 1, in: response)
            var json = response
            json.headers["content-type"] = "application/json"
            _ = JSONRPC.reply(to: 1, in: json)
        case .http:
            // A request head as the demo target parses it, a response head as the engine reads it,
            // a status from the first three digits, a URL as the origin check reads it.
            _ = LoopbackHTTPServer.parseHead(bytes[...])
            let text = String(decoding: bytes, as: UTF8.self)
            let status = Int(text.prefix(3)) ?? 0
            _ = ExchangeResponse(transportFailure: nil, status: status, headers: [:], body: [], sentNanos: 0, firstBodyNanos: 0, doneNanos: 0)
                .statusFailure(expected: [200])
            let slot = Self.slot
            slot.headerBytes = bytes
            _ = slot.parsedHeaders()
            _ = URLOrigin(text)
            _ = LineBreakGuard.urlToSend(text, headerValues: [text])
            _ = TerminalText.escape(text)
            _ = Redaction.apply(text)
            _ = Markup.escape(text)
        case .httpResponse:
            HTTPResponseFuzz.run(bytes)
        case .nativeURL:
            NativeURLFuzz.run(bytes)
        }
    }
}

/// One input: libFuzzer calls this for every candidate.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.current.run(bytes)
    return 0
}

/// The executable's entry point as SwiftPM names it: hands control to libFuzzer's driver.
@_cdecl("LoadGateFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
