import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `charnn keyboard` run in a pseudo-terminal made with openpty, as a person would use it.
@Suite struct KeyboardCommandTests {
    /// A running `charnn keyboard` on the slave side of a pseudo-terminal, and what it has drawn.
    final class Session {
        let process = Process()
        let master: Int32
        let slave: Int32
        var screen: [UInt8] = []

        init(model: String, arguments: [String] = []) throws {
            var master: Int32 = -1, slave: Int32 = -1
            var size = winsize(ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
            guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw POSIXError(.ENOTTY) }
            (self.master, self.slave) = (master, slave)
            process.executableURL = try CharnnProcess.executable()
            process.arguments = ["keyboard", "--model", model] + arguments
            let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
            (process.standardInput, process.standardOutput, process.standardError) = (handle, handle, handle)
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
            close(master)
            close(slave)
        }

        func type(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }
        func type(_ text: String) { type(Array(text.utf8)) }

        /// Reads what the program draws until `done(screen)` holds; fails after 20 seconds.
        func waitUntil(_ done: (String) -> Bool) throws {
            let deadline = Date().addingTimeInterval(20)
            while !done(String(decoding: screen, as: UTF8.self)) {
                guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(master, &buffer, buffer.count)
                if count > 0 { screen += buffer[0..<count] }
            }
        }

        /// The last complete frame: the line typed (after "> ") and the two suggestion lines.
        var lastFrame: (line: String, next: String, words: String)? {
            let text = String(decoding: screen, as: UTF8.self)
            guard let end = text.range(of: "\u{1B}8", options: .backwards),
                  let start = text.range(of: "\r\u{1B}[J> ", options: .backwards, range: text.startIndex..<end.lowerBound)
            else { return nil }
            let parts = text[start.upperBound..<end.lowerBound].components(separatedBy: "\u{1B}7\r\n")
            guard parts.count == 2 else { return nil }
            let lines = parts[1].components(separatedBy: "\r\n")
            guard lines.count == 2 else { return nil }
            return (parts[0], lines[0], lines[1])
        }

        /// Waits up to 20 seconds for the program to exit, then kills it and fails.
        func waitForExit() throws {
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning {
                guard Date() < deadline else {
                    kill(process.processIdentifier, SIGKILL)
                    throw POSIXError(.ETIMEDOUT)
                }
                usleep(10_000)
            }
        }

        /// Waits for a frame whose line is `line`.
        func waitForLine(_ line: String) throws {
            try waitUntil { _ in lastFrame?.line == line }
        }
    }

    static func completions(of text: String, k: Int = 3, model: String) throws -> [PredictCommandTests.Report.Completion] {
        let result = try CharnnProcess.run(["predict", "--json", "--model", model, "--k", "\(k)", text])
        return try JSONDecoder().decode(PredictCommandTests.Report.self, from: Data(result.stdout.utf8)).completions
    }

    static func firstCompletion(of text: String, model: String) throws -> String {
        try completions(of: text, model: model)[0].suffix
    }

    @Test func offersItsSlotsAndDigitsPickThem() throws {
        let model = try TinyModel.path()
        let words = try Self.completions(of: "the ", k: 5, model: model).map(\.word)
        let session = try Session(model: model, arguments: ["--slots", "5"])
        try session.waitForLine("")
        session.type("the ")
        try session.waitForLine("the ")
        #expect(session.lastFrame?.words == "  words: " + words.enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: "  "))
        session.type("2")
        try session.waitForLine("the \(words[1]) ")
        session.type([0x04])
        try session.waitForExit()
    }

    @Test func typesDeletesAcceptsAndQuits() throws {
        let model = try TinyModel.path()
        let expectedSuffix = try Self.firstCompletion(of: "the ca", model: model)
        let session = try Session(model: model)
        try session.waitForLine("")
        session.type("the cx")
        try session.waitForLine("the cx")
        session.type([0x7F])
        try session.waitForLine("the c")
        session.type("a")
        try session.waitForLine("the ca")
        let frame = try #require(session.lastFrame)
        #expect(frame.next.hasPrefix("  next: "))
        #expect(frame.words.hasPrefix("  words: 1: ca\(expectedSuffix)  2: "))
        // Tab enters the word and a space after it; a comma then takes the space's place, as on a phone.
        session.type("\t")
        try session.waitForLine("the ca\(expectedSuffix) ")
        session.type(",")
        try session.waitForLine("the ca\(expectedSuffix), ")
        // "é" arrives as two bytes, in two writes.
        session.type("caf")
        session.type([0xC3])
        session.type([0xA9])
        try session.waitForLine("the ca\(expectedSuffix), café")
        session.type([0x7F])
        try session.waitForLine("the ca\(expectedSuffix), caf")
        session.type([0x04])
        try session.waitForExit()
        #expect(session.process.terminationStatus == 0)
        try session.waitUntil { $0.hasSuffix("the ca\(expectedSuffix), caf\r\n") }
        var settings = termios()
        #expect(tcgetattr(session.slave, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ECHO | ICANON) == tcflag_t(ECHO | ICANON), "the terminal is back in cooked mode")
    }

    @Test func interruptRestoresTheTerminal() throws {
        let session = try Session(model: try TinyModel.path())
        try session.waitForLine("")
        session.type("th")
        try session.waitForLine("th")
        session.process.interrupt()
        try session.waitForExit()
        #expect(session.process.terminationStatus == 130)
        var settings = termios()
        #expect(tcgetattr(session.slave, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ECHO | ICANON) == tcflag_t(ECHO | ICANON))
    }

    @Test func refusesWithoutATerminal() throws {
        let result = try CharnnProcess.run(["keyboard", "--model", try TinyModel.path()], stdin: Data("abc".utf8))
        #expect(result.errorMessage == "charnn keyboard needs a terminal on standard input and output; for scripts use charnn predict TEXT")
    }
}
