import Foundation

/// Runs the built `charnn` executable as a child process and captures what it prints.
///
/// The executable is found next to the test bundle (both sit in the products directory, e.g. `.build/release`),
/// or at `CHARNN_EXECUTABLE` when that is set.
struct CharnnProcess {
    /// What one run produced.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The non-empty lines of standard error.
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// Why the executable could not be run.
    enum Failure: Error, CustomStringConvertible {
        case executableNotFound(searched: [String])

        var description: String {
            switch self {
            case .executableNotFound(let searched):
                return "charnn executable not found (build it first); searched: \(searched.joined(separator: ", "))"
            }
        }
    }

    /// The directories that may hold the executable, most specific first.
    static var candidateDirectories: [URL] {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // On macOS the tests run inside an .xctest bundle loaded by a helper: the bundle's folder is the one.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/release"))
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        return directories
    }

    /// The `charnn` executable to run.
    static func executable() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["CHARNN_EXECUTABLE"] {
            return URL(fileURLWithPath: override)
        }
        let candidates = candidateDirectories.map { $0.appendingPathComponent("charnn") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw Failure.executableNotFound(searched: candidates.map(\.path))
    }

    /// A `charnn` started in the background, for tests that signal it while it runs.
    final class Running {
        let process: Process
        private let scratch: URL
        private let handles: [FileHandle]

        fileprivate init(process: Process, scratch: URL, handles: [FileHandle]) {
            self.process = process
            self.scratch = scratch
            self.handles = handles
        }

        /// The child's process id.
        var pid: Int32 { process.processIdentifier }

        /// Whether it is still running.
        var isRunning: Bool { process.isRunning }

        /// What it has written to standard error so far.
        var stderrSoFar: String {
            String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
        }

        /// Sends `signal` (e.g. SIGINT, SIGKILL) to the child.
        func send(_ signal: Int32) {
            kill(process.processIdentifier, signal)
        }

        /// Waits for it to exit and returns what it printed. `status` is the exit code, or the signal that ended it
        /// when `killedBy` is set.
        func wait() throws -> (result: Result, killedBy: Int32?) {
            process.waitUntilExit()
            defer {
                for handle in handles { try? handle.close() }
                try? FileManager.default.removeItem(at: scratch)
            }
            let result = Result(
                status: process.terminationStatus,
                stdout: String(decoding: try Data(contentsOf: scratch.appendingPathComponent("stdout")), as: UTF8.self),
                stderr: String(decoding: try Data(contentsOf: scratch.appendingPathComponent("stderr")), as: UTF8.self)
            )
            return (result, process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
        }
    }

    /// Starts `charnn` with `arguments`, feeding `stdin` (nothing when nil), without waiting for it. `environment`
    /// adds to (or, with nil values, removes from) the inherited environment, less OPENBLAS_CORETYPE: a user's forced
    /// kernel set makes commands warn, which would change what they print, so a test that wants it sets it. With a
    /// `launcher` (a command found on the PATH and its arguments, such as `mpirun -np 2`), the launcher runs and
    /// starts `charnn`.
    static func start(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:], launcher: [String] = []
    ) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // Files rather than pipes: a child that fills a pipe nobody reads yet would block forever.
        let inputURL = scratch.appendingPathComponent("stdin")
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        try (stdin ?? Data()).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)

        let process = Process()
        if launcher.isEmpty {
            process.executableURL = try executable()
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = launcher + [try executable().path] + arguments
        }
        var inherited = ProcessInfo.processInfo.environment
        inherited["OPENBLAS_CORETYPE"] = nil
        for (name, value) in environment { inherited[name] = value }
        process.environment = inherited
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        let running = Running(process: process, scratch: scratch, handles: [input, output, error])
        try process.run()
        return running
    }

    /// Runs `charnn` with `arguments`, feeding `stdin` (nothing when nil) and waiting for it to exit.
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:], launcher: [String] = []
    ) throws -> Result {
        try start(arguments, stdin: stdin, environment: environment, launcher: launcher).wait().result
    }
}
