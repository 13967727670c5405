import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `charnn serve` run as a process: shutdown on SIGTERM, and the page driven in headless Chromium.
@Suite("charnn serve")
struct ServeCommandTests {
    @Test("SIGTERM during a stream: new connections are refused, the stream runs to its end, and the server exits 0")
    func sigtermDuringStream() async throws {
        let model = try TinyModel.path()
        let server = try await ServeProcess.start(["--model", model, "--keyboard-model", model, "--max-length", "100000",
                                                   "--shutdown-grace", "120"])
        // A stream far longer than the sockets can buffer, whose client reads one event and then stops reading, so
        // that it is in flight when the signal arrives.
        let port = server.port
        let (stream, first) = try await io { () -> (TestConnection, String) in
            let connection = try TestConnection(port: port, receiveBuffer: 4096)
            let body = #"{"length":100000,"seed":5,"stream":true}"#
            try connection.send(TestConnection.requestHead("POST", "/v1/sample", bodyLength: body.utf8.count) + body)
            #expect(try connection.readHead().status == 200)
            var received = ""
            while !received.contains("data: "), let chunk = try connection.readChunk() { received += String(decoding: chunk, as: UTF8.self) }
            return (connection, received)
        }
        server.running.send(SIGTERM)
        #expect(try await server.waitForLog("shutting down"))
        // Once shutting down, the server accepts no connection; it is still running, as its stream is not done.
        #expect(try await server.refusesConnections())
        #expect(server.running.isRunning)
        let rest = try await io { () -> String in
            var received = first
            while let chunk = try stream.readChunk() { received += String(decoding: chunk, as: UTF8.self) }
            return received
        }
        #expect(rest.components(separatedBy: "data: {\"text\":").count - 1 >= 99_999)
        #expect(rest.contains("event: done\ndata: {\"finish\":\"length\",\"graphemes\":100000,\"model\":\"default\",\"prime\":\"\",\"seed\":5,\"skipped\":[]}\n\n"))
        let (result, killedBy) = try await server.waitForExit()
        #expect(killedBy == nil)
        #expect(result.status == 0)
        // In order: the shutdown began with the stream in flight, the stream finished, then the server stopped.
        let lines = result.stderrLines.map(String.init)
        let shutdown = try #require(lines.firstIndex { $0.hasSuffix("shutting down: no new connections; waiting up to 120.0 s for 1 requests in flight") })
        let request = try #require(lines.firstIndex { $0.contains("finish=length graphemes=100000") && $0.hasSuffix("POST /v1/sample 200") })
        let stopped = try #require(lines.firstIndex { $0.hasSuffix("[CharServe] stopped") })
        #expect(shutdown < request && request < stopped, "\(lines)")
    }

    @Test("settings out of range and an address in use are one-line errors")
    func badSettings() async throws {
        let model = try TinyModel.path()
        #expect(try CharnnProcess.run(["serve", "--model", model, "--max-in-flight", "0"]).errorMessage
                == "invalid value 0 for --max-in-flight: expected at least 1")
        #expect(try CharnnProcess.run(["serve", "--model", model, "--idle-timeout=-1"]).errorMessage
                == "invalid value -1.0 for --idle-timeout: expected a finite number of seconds > 0")
        let server = try await ServeProcess.start(["--model", model, "--keyboard-model", model])
        let taken = try CharnnProcess.run(["serve", "--model", model, "--keyboard-model", model, "--port", "\(server.port)"])
        server.running.send(SIGTERM)
        #expect(try await server.waitForExit().result.status == 0)
        #expect(taken.status == 1)
        let message = try #require(taken.errorMessage)
        #expect(message.hasPrefix("cannot listen on 127.0.0.1:\(server.port) (") && message.hasSuffix("); choose another --port or --host"), "\(message)")
    }

    @Test("the page in headless Chromium: suggestions as one types, a click accepts one, a sample streams in")
    func pageInBrowser() async throws {
        let model = try TinyModel.path()
        let server = try await ServeProcess.start(["--model", model, "--keyboard-model", model])
        let page = "http://127.0.0.1:\(server.port)"
        do {
            try await WebDriver.with { driver in try await Self.usePage(page, in: driver) }
        } catch {
            server.running.send(SIGKILL)
            _ = try? await server.waitForExit()
            throw error
        }
        server.running.send(SIGTERM)
        #expect(try await server.waitForExit().result.status == 0)
    }

    /// What a person does on the page, checked against the API's own answers; a screenshot at the end.
    private static func usePage(_ page: String, in driver: WebDriver) async throws {
        try await driver.open(page)

        // Typing: the page asks /v1/predict at each keystroke and shows its first three completions as buttons.
        try await driver.type("the ca", into: "#text")
        #expect(try await driver.waitFor("document.getElementById('suggestions').dataset.for === 'the ca' && document.querySelectorAll('#suggestions button').length > 0"))
        struct Prediction: Decodable {
            struct Next: Decodable { var grapheme: String }
            struct Completion: Decodable { var word: String; var suffix: String }
            var next: [Next]
            var completions: [Completion]
        }
        let answer = try JSONDecoder().decode(Prediction.self, from: try await post(page + "/v1/predict", #"{"text":"the ca","k":6}"#))
        #expect(try await driver.script("return Array.from(document.querySelectorAll('#suggestions button')).map(b => b.textContent)") as? [String]
                == answer.completions.prefix(3).map(\.word))
        #expect(try await driver.script("return document.querySelectorAll('#chart .g').length") as? Int == answer.next.count)
        // A click accepts the first: the word is finished and a space added.
        try await driver.click("#suggestions button")
        let accepted = "the ca" + answer.completions[0].suffix + " "
        #expect(try await driver.waitFor("document.getElementById('text').value === \(jsString(accepted))"))
        // So does Tab, once the suggestions for the text typed are shown.
        try await driver.type("s", into: "#text")
        #expect(try await driver.waitFor("document.getElementById('suggestions').dataset.for === \(jsString(accepted + "s")) && document.querySelectorAll('#suggestions button').length > 0"))
        let next = try JSONDecoder().decode(Prediction.self, from: try await post(page + "/v1/predict", #"{"k":6,"text":"# + jsString(accepted + "s") + "}"))
        try await driver.type("\u{E004}", into: "#text")  // WebDriver's Tab key
        #expect(try await driver.waitFor("document.getElementById('text').value === \(jsString(accepted + "s" + next.completions[0].suffix + " "))"))

        // Sampling: the text streams into the page; with a seed it is the API's text for that seed.
        try await driver.type("the ", into: "#prime")
        try await driver.type("7", into: "#seed")
        try await driver.clear("#length")
        try await driver.type("80", into: "#length")
        try await driver.click("#start")
        #expect(try await driver.waitFor("document.getElementById('output').dataset.state === 'done'"))
        struct Sample: Decodable { var text: String }
        let sample = try JSONDecoder().decode(Sample.self, from: try await post(page + "/v1/sample", #"{"prime":"the ","length":80,"temperature":0.8,"seed":7}"#))
        #expect(try await driver.script("return document.getElementById('output').textContent") as? String == sample.text)
        #expect(try await driver.script("return document.getElementById('output').dataset.pieces") as? String == "80")
        // On the phone's screen nothing is wider than the screen.
        #expect(try await driver.script("return window.innerWidth") as? Int == 390)
        #expect(try await driver.script("return document.documentElement.scrollWidth <= window.innerWidth") as? Bool == true)

        let screenshot = try await driver.screenshot()
        let folder = ServeProcess.outputFolder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try screenshot.write(to: folder.appendingPathComponent("serve-page.png"))
        #expect(screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

/// A `charnn serve` started on a free port for one test.
private struct ServeProcess {
    let running: CharnnProcess.Running
    let port: Int

    /// Where tests leave files for people to look at: `$CHARNN_TEST_OUTPUT`, else `.build-test-output/` in the package.
    static var outputFolder: URL {
        if let folder = ProcessInfo.processInfo.environment["CHARNN_TEST_OUTPUT"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build-test-output")
    }

    /// Starts `charnn serve --port 0` with `arguments` and waits (at most 60 s) for the line that says its port.
    static func start(_ arguments: [String]) async throws -> ServeProcess {
        let running = try CharnnProcess.start(["serve", "--port", "0"] + arguments)
        for _ in 0..<600 {
            if let match = running.stderrSoFar.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/), let port = Int(match.1) {
                return ServeProcess(running: running, port: port)
            }
            guard running.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        running.send(SIGKILL)
        throw TestConnection.Failure(description: "charnn serve did not start listening: \(running.stderrSoFar)")
    }

    /// Waits for the server to exit, killing it if it is still running after 60 s, and returns what it printed.
    func waitForExit() async throws -> (result: CharnnProcess.Result, killedBy: Int32?) {
        for _ in 0..<600 where running.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if running.isRunning { running.send(SIGKILL) }
        // It has exited by now, so waiting for it returns at once.
        return try running.wait()
    }

    /// Waits (at most 30 s) for standard error to contain `text`.
    func waitForLog(_ text: String) async throws -> Bool {
        for _ in 0..<300 {
            if running.stderrSoFar.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Waits (at most 30 s) for a connection to the port to be refused.
    func refusesConnections() async throws -> Bool {
        for _ in 0..<300 {
            let port = port
            if try await io({ (try? TestConnection(port: port)) == nil }) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// POSTs `json` to `url` and returns the answer's body; a status other than 200 is an error.
private func post(_ url: String, _ json: String) async throws -> Data {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: 60)
    request.httpMethod = "POST"
    request.httpBody = Data(json.utf8)
    let (data, response) = try await URLSession.shared.data(for: request)
    guard (response as? HTTPURLResponse)?.statusCode == 200 else {
        throw TestConnection.Failure(description: "\(url): \(String(decoding: data, as: UTF8.self))")
    }
    return data
}

/// `text` as a JavaScript string literal.
private func jsString(_ text: String) -> String {
    // Encoding a string cannot fail, and JSON's string literals are JavaScript's.
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

/// Headless Chromium, driven through chromedriver's WebDriver protocol (HTTP and JSON).
private final class WebDriver: @unchecked Sendable {
    private let process: Process
    private let port: Int
    private let session: String
    /// Where chromedriver writes (the port it took).
    private let log: URL

    private init(process: Process, port: Int, session: String, log: URL) {
        self.process = process
        self.port = port
        self.session = session
        self.log = log
    }

    /// Starts chromedriver on a free port and a session of headless Chromium on a phone's screen.
    private static func start() async throws -> WebDriver {
        let chromium = try executable("CHARNN_CHROMIUM", names: ["chromium", "chromium-browser"],
                                      macOS: "/Applications/Chromium.app/Contents/MacOS/Chromium")
        let chromedriver = try executable("CHARNN_CHROMEDRIVER", names: ["chromedriver"], macOS: nil)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("chromedriver-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = chromedriver
        process.arguments = ["--port=0"]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: Int?
        for _ in 0..<300 where port == nil {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            port = text.firstMatch(of: /started successfully on port (\d+)/).flatMap { Int($0.1) }
            if port == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: log)
            throw TestConnection.Failure(description: "chromedriver did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            // A phone's screen, 390 by 844 CSS pixels: a desktop window is at least 500 pixels wide, even headless.
            "goog:chromeOptions": ["binary": chromium.path,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                                   "mobileEmulation": ["deviceMetrics": ["width": 390, "height": 844, "pixelRatio": 1]]],
        ]]]
        do {
            let created = try await command(port: port, "/session", "POST", capabilities) as? [String: Any]
            guard let session = created?["sessionId"] as? String else { throw TestConnection.Failure(description: "no session: \(String(describing: created))") }
            return WebDriver(process: process, port: port, session: session, log: log)
        } catch {
            await stop(process, port: port, log: log)
            throw error
        }
    }

    /// The browser or driver at `$variable`, else the first of `names` on the PATH, else `macOS`'s path; an error
    /// that says how to install them when there is none.
    private static func executable(_ variable: String, names: [String], macOS: String?) throws -> URL {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return URL(fileURLWithPath: path) }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for name in names {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
                return URL(fileURLWithPath: folder + "/" + name)
            }
        }
        if let macOS, FileManager.default.isExecutableFile(atPath: macOS) { return URL(fileURLWithPath: macOS) }
        throw TestConnection.Failure(description: "\(names[0]) not found: run scripts/bootstrap --test (or set \(variable))")
    }

    /// Sends one WebDriver command and returns its `value`; a WebDriver error is thrown with its message.
    /// (Over a plain socket: FoundationNetworking's URLSession on Linux fails on chromedriver's headers, which have
    /// no space after the colon.)
    private static func command(port: Int, _ path: String, _ method: String, _ body: [String: Any]?) async throws -> Any? {
        let json = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let data = try await io { try TestConnection.request(port: port, method, path, body: json).body }
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let value = answer?["value"]
        if let failure = value as? [String: Any], let error = failure["error"] as? String {
            throw TestConnection.Failure(description: "WebDriver \(method) \(path): \(error): \(failure["message"] ?? "")")
        }
        return value is NSNull ? nil : value
    }

    private func command(_ path: String, _ method: String = "POST", _ body: [String: Any]? = [:]) async throws -> Any? {
        try await Self.command(port: port, "/session/\(session)" + path, method, body)
    }

    /// Runs `body` with a new session, then ends the session (closing the browser) and the driver, whatever `body` did.
    static func with(_ body: (WebDriver) async throws -> Void) async throws {
        let driver = try await start()
        do {
            try await body(driver)
        } catch {
            await driver.quit()
            throw error
        }
        await driver.quit()
    }

    /// Ends the session, which closes the browser, and then the driver.
    private func quit() async {
        _ = try? await command("", "DELETE", nil)
        await Self.stop(process, port: port, log: log)
    }

    /// Asks chromedriver to exit (it ignores SIGTERM), kills it if it is still running 10 s later, and removes its log.
    private static func stop(_ process: Process, port: Int, log: URL) async {
        _ = try? await command(port: port, "/shutdown", "GET", nil)
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: log)
    }

    func open(_ url: String) async throws {
        _ = try await command("/url", "POST", ["url": url])
    }

    private func element(_ selector: String) async throws -> String {
        let found = try await command("/element", "POST", ["using": "css selector", "value": selector]) as? [String: Any]
        guard let id = found?.values.first as? String else { throw TestConnection.Failure(description: "no element \(selector)") }
        return id
    }

    func type(_ text: String, into selector: String) async throws {
        _ = try await command("/element/\(try await element(selector))/value", "POST", ["text": text])
    }

    func clear(_ selector: String) async throws {
        _ = try await command("/element/\(try await element(selector))/clear")
    }

    func click(_ selector: String) async throws {
        _ = try await command("/element/\(try await element(selector))/click")
    }

    /// What `source` (a function body) returns in the page.
    func script(_ source: String) async throws -> Any? {
        try await command("/execute/sync", "POST", ["script": source, "args": [Any]()])
    }

    /// Polls until the JavaScript `condition` holds, at most 30 s; whether it did.
    func waitFor(_ condition: String) async throws -> Bool {
        for _ in 0..<300 {
            if try await script("return \(condition)") as? Bool == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The window as a PNG.
    func screenshot() async throws -> Data {
        guard let encoded = try await command("/screenshot", "GET", nil) as? String, let png = Data(base64Encoded: encoded) else {
            throw TestConnection.Failure(description: "no screenshot")
        }
        return png
    }
}
