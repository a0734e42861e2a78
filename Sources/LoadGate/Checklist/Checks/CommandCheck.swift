import Foundation

/// The `command` check: runs argv directly (posix_spawnp, no shell and no `/usr/bin/env` in front, so
/// an argv such as `["-S", "sh -c ..."]` is a missing program, not a shell), in its own process group.
/// The verdict is the command's own exit status: background children it leaves holding the output
/// pipe neither delay nor decide the item. At the timeout, and after the command exits, the whole
/// process group is killed, so no grandchild outlives the check. Output is capped: the first
/// `keptOutputBytes` are kept for the pattern and the evidence, the rest only counted.
enum CommandCheck {
    static let keptOutputBytes = 1 << 20
    /// How long output still written after the command exited is read before the group is killed.
    static let drainAfterExitNanos: Int64 = 100_000_000

    struct Completion {
        enum End: Equatable { case exited(Int32), signalled(Int32), timedOut }
        var end: End
        var output: [UInt8]
        var outputBytesSeen: Int
    }

    static func check(argv: [String], exitCode: Int, outputPattern: String?, timeoutNanos: Int64) -> CheckOutcome {
        let expected = "`\(argv.joined(separator: " "))` exits \(exitCode)" + (outputPattern.map { " with output matching /\($0)/" } ?? "")
            + " within \(DurationText.format(nanos: timeoutNanos))"
        let completion: Completion
        switch run(argv: argv, timeoutNanos: timeoutNanos) {
        case let .failure(failure): return .fail(expected, "cannot start", failure.message)
        case let .success(done): completion = done
        }
        let output = String(decoding: completion.output, as: UTF8.self)
        var outputText = "output: \(output.prefix(300).trimmingCharacters(in: .whitespacesAndNewlines))"
        if completion.outputBytesSeen > completion.output.count {
            outputText += " (\(completion.outputBytesSeen) bytes, first \(completion.output.count) kept)"
        }
        switch completion.end {
        case .timedOut:
            return .fail(expected, "killed (process group) after \(DurationText.format(nanos: timeoutNanos)); \(outputText)",
                         "the command did not finish within \(DurationText.format(nanos: timeoutNanos))")
        case let .signalled(signal):
            return .fail(expected, "killed by signal \(signal); \(outputText)", "the command was killed by signal \(signal)")
        case let .exited(status):
            let observed = "exit \(status); \(outputText)"
            guard Int(status) == exitCode else { return .fail(expected, observed, "the command exited \(status)") }
            if let pattern = outputPattern {
                guard let regex = try? NSRegularExpression(pattern: pattern),
                      regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil else {
                    return .fail(expected, observed, "the output does not match /\(pattern)/")
                }
            }
            return .pass(expected, observed)
        }
    }

    /// Spawns argv in a new process group with stdin from /dev/null and stdout+stderr into one pipe.
    struct StartFailure: Error { var message: String }

    static func run(argv: [String], timeoutNanos: Int64) -> Result<Completion, StartFailure> {
        let deadline = MonotonicClock.nowNanos() + timeoutNanos
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failure(StartFailure(message: "pipe: \(String(cString: strerror(errno)))")) }
        let readFD = fds[0], writeFD = fds[1]
        // Not inherited by commands other items spawn at the same time (the child gets dup2 copies).
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        defer { close(readFD) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (led by the child) so the timeout can kill every descendant; an empty
        // signal mask and default SIGPIPE/SIGINT/SIGTERM, whatever this thread blocks or ignores.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        close(writeFD)
        guard spawned == 0 else { return .failure(StartFailure(message: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")) }

        var output: [UInt8] = []
        var seen = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var pipeOpen = true
        /// Reads what is there (waiting at most `waitMs`); false at end of file.
        func readOnce(waitMs: Int32) {
            var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, waitMs) > 0 else { return }
            let count = read(readFD, &chunk, chunk.count)
            if count <= 0 { if count == 0 || errno != EINTR { pipeOpen = false }; return }
            seen += count
            let room = keptOutputBytes - output.count
            if room > 0 { output += chunk[0..<min(room, count)] }
        }

        var status: Int32 = 0
        var end: Completion.End?
        while end == nil {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                end = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
                break
            }
            let now = MonotonicClock.nowNanos()
            if now >= deadline {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                end = .timedOut
                break
            }
            let waitMs = Int32(max(1, min(20, (deadline - now) / 1_000_000)))
            if pipeOpen { readOnce(waitMs: waitMs) } else { usleep(UInt32(waitMs) * 1_000) }
        }
        // The command is gone: take what its output still holds (briefly: a background child may
        // keep the pipe open for ever), then stop whatever it left behind in its group.
        let drainUntil = min(deadline, MonotonicClock.nowNanos() + drainAfterExitNanos)
        while pipeOpen, end != .timedOut {
            let left = drainUntil - MonotonicClock.nowNanos()
            if left <= 0 { break }
            readOnce(waitMs: Int32(max(1, left / 1_000_000)))
        }
        // Safe after reaping: Linux does not reuse a pid while a process group of that id exists.
        kill(-pid, SIGKILL)
        return .success(Completion(end: end ?? .timedOut, output: output, outputBytesSeen: seen))
    }
}
