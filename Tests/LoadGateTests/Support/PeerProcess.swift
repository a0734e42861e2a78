import Foundation

/// A real peer (nginx, a Python server, the loadgate binary) started on loopback for a test and
/// stopped when the test ends. Peers are the project's own scripts in `scripts/peers/`.
final class PeerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let output = Pipe()

    /// Package root, found from this file's location.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url = url.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// Starts `executable` with `arguments`; waits until 127.0.0.1:`port` accepts connections.
    init(_ executable: String, _ arguments: [String], port: Int, readPortFromStdout: Bool = false,
         environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (key, value) in environment { env[key] = value }
            process.environment = env
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var chosen = port
        if readPortFromStdout {
            var line = Data()
            let handle = output.fileHandleForReading
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            chosen = Int(String(decoding: line, as: UTF8.self).split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        }
        // Keep draining the peer's stdout: a server that logs every request would otherwise fill
        // the pipe and block mid-response (and the test would blame the load generator).
        let handle = output.fileHandleForReading
        DispatchQueue.global().async {
            while !handle.availableData.isEmpty {}
        }
        self.port = chosen
        try Self.waitForListener(port: chosen, process: process)
    }

    deinit { stop() }

    /// SIGKILL, because Foundation's Process starts children with the spawning thread's signal
    /// mask, in which SIGTERM and SIGINT are blocked: a polite terminate() would never arrive.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func nginx() throws -> PeerProcess {
        let port = try freePort()
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("lg-nginx-\(UUID().uuidString)").path
        return try PeerProcess(packageRoot.appendingPathComponent("scripts/peers/nginx").path, [prefix, String(port)], port: port)
    }

    static func stallServer(after: Double, for duration: Double) throws -> PeerProcess {
        try PeerProcess("/usr/bin/env", ["python3", packageRoot.appendingPathComponent("scripts/peers/stall_server.py").path,
                                         "--stall-after", String(after), "--stall-for", String(duration)],
                        port: 0, readPortFromStdout: true)
    }

    /// The project's venv (scripts/setup-python) with the official MCP and A2A SDKs.
    static var venvPython: String { packageRoot.appendingPathComponent(".venv/bin/python").path }

    /// A peer script from scripts/peers that prints its port on stdout.
    static func script(_ name: String, _ arguments: [String], python: String = "/usr/bin/env") throws -> PeerProcess {
        let path = packageRoot.appendingPathComponent("scripts/peers/\(name)").path
        let argv = python == "/usr/bin/env" ? ["python3", path] + arguments : [path] + arguments
        return try PeerProcess(python, argv, port: 0, readPortFromStdout: true)
    }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func waitForListener(port: Int, process: Process) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if port > 0, canConnect(port: port) { return }
            if !process.isRunning { throw PeerError.exited(process.terminationStatus) }
            usleep(20_000)
        }
        throw PeerError.notListening(port)
    }

    enum PeerError: Error { case exited(Int32), notListening(Int) }
}

/// Runs the built `loadgate` binary and captures what a user would see.
struct CLIRun {
    let exitCode: Int32
    let stdout: String
    let stderr: String
    let seconds: Double

    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["LOADGATE_BIN"] { return explicit }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("loadgate")
        if FileManager.default.isExecutableFile(atPath: sibling.path) { return sibling.path }
        for candidate in [".build/debug/loadgate", ".build/x86_64-unknown-linux-gnu/debug/loadgate"] {
            let url = PeerProcess.packageRoot.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        fatalError("loadgate binary not found; build it first or set LOADGATE_BIN")
    }

    /// - Parameter interruptAfter: send SIGINT after this many seconds.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                    interruptAfter: Double? = nil) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        return try capture(process, interruptAfter: interruptAfter)
    }

    /// Starts `process` with its output and error piped, writes `stdin` (then closes it) and, with
    /// `interruptAfter`, sends SIGINT after that many seconds; returns once it exited.
    static func capture(_ process: Process, stdin: Data? = nil, interruptAfter: Double? = nil) throws -> CLIRun {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        if let input { process.standardInput = input }
        let started = Date()
        try process.run()
        if let input, let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            kill(process.processIdentifier, SIGINT)
        }
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        return CLIRun(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), seconds: Date().timeIntervalSince(started))
    }
}

/// A scratch folder for one test, removed afterwards.
final class ScratchDirectory: @unchecked Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("loadgate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
