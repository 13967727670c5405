import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection to the server under test on loopback, over a plain socket, so that a test decides every byte:
/// truncated or invalid requests, a body sent slowly or without end, a client that stops reading or goes away.
///
/// Every read and write waits at most `timeout` seconds (SO_RCVTIMEO / SO_SNDTIMEO) and then fails, so no test
/// can hang on a server that does not answer. Calls block: run them through `io` (below), off the cooperative
/// thread pool that the in-process server answers on.
public final class TestConnection: @unchecked Sendable {
    /// A way the connection failed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    private let socket: Int32
    private var isOpen = true
    /// Bytes received and not yet consumed.
    private var pending = Data()

    /// Connects to 127.0.0.1:`port`. A small `receiveBuffer` (bytes) keeps the kernel from reading far ahead of the
    /// test, so a test that stops reading makes the server wait.
    public init(port: Int, receiveBuffer: Int? = nil, timeout: Double = 30) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close()
            throw Failure(description: "connect to port \(port): errno \(code)")
        }
    }

    deinit {
        close()
    }

    /// Closes the connection, as a client that goes away does.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        #if canImport(Glibc)
        _ = Glibc.close(socket)
        #else
        _ = Darwin.close(socket)
        #endif
    }

    /// Sends every byte of `data`; fails when the server has closed the connection or stopped reading for `timeout`.
    public func send(_ data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                // MSG_NOSIGNAL: a write to a closed connection is an error here, not a SIGPIPE that ends the tests.
                #if canImport(Glibc)
                let sent = Glibc.send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let sent = Darwin.send(socket, bytes.baseAddress! + offset, bytes.count - offset, 0)
                #endif
                guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
                offset += sent
            }
        }
    }

    /// Sends `text` as UTF-8.
    public func send(_ text: String) throws {
        try send(Data(text.utf8))
    }

    /// Receives more bytes into `pending`; false when the server has closed the connection.
    @discardableResult
    private func receive() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(socket, &chunk, chunk.count, 0)
        if count < 0 { throw Failure(description: errno == EAGAIN || errno == EWOULDBLOCK ? "no answer within the timeout" : "recv: errno \(errno)") }
        pending.append(contentsOf: chunk[0..<count])
        return count > 0
    }

    /// Whether the server closes the connection (rather than sending anything) before the timeout.
    public func waitForClose() throws -> Bool {
        pending.isEmpty ? !(try receive()) : false
    }

    /// The next `count` bytes.
    private func take(_ count: Int) throws -> Data {
        while pending.count < count {
            guard try receive() else { throw Failure(description: "the connection closed with \(count - pending.count) bytes missing") }
        }
        let taken = pending.prefix(count)
        pending.removeFirst(count)
        return Data(taken)
    }

    /// The next line, without its CR LF.
    private func line() throws -> String {
        while true {
            if let end = pending.firstRange(of: Data("\r\n".utf8)) {
                let line = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                return line
            }
            guard try receive() else { throw Failure(description: "the connection closed in the middle of a line") }
        }
    }

    /// The status and headers (names in lower case) of the next response.
    public func readHead() throws -> (status: Int, headers: [String: String]) {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "not a status line: \(statusLine)") }
        var headers: [String: String] = [:]
        while case let header = try line(), !header.isEmpty {
            guard let colon = header.firstIndex(of: ":") else { throw Failure(description: "not a header: \(header)") }
            headers[header[..<colon].lowercased()] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }

    /// The next chunk of a chunked body; nil after the last.
    public func readChunk() throws -> Data? {
        let sizeLine = try line()
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw Failure(description: "not a chunk size: \(sizeLine)") }
        guard size > 0 else {
            while try !line().isEmpty {}
            return nil
        }
        let chunk = try take(size)
        guard try line().isEmpty else { throw Failure(description: "a chunk without its CR LF") }
        return chunk
    }

    /// The next whole response.
    public func readReply() throws -> TestReply {
        let (status, headers) = try readHead()
        var body = Data()
        if headers["transfer-encoding"] == "chunked" {
            while let chunk = try readChunk() { body.append(chunk) }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try take(length)
        } else {
            while try receive() {}
            body = pending
            pending.removeAll()
        }
        return TestReply(status: status, headers: headers, body: body)
    }

    /// Sends a request with `body` (Content-Length set unless `headers` gives the framing) and reads the response.
    public static func request(port: Int, _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) throws -> TestReply {
        let connection = try TestConnection(port: port)
        try connection.send(requestHead(method, path, bodyLength: body?.count, headers: headers))
        if let body { try connection.send(body) }
        return try connection.readReply()
    }

    /// A request's head.
    public static func requestHead(_ method: String, _ path: String, bodyLength: Int?, headers: [String: String] = [:]) -> String {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let bodyLength, headers["Transfer-Encoding"] == nil { head += "Content-Type: application/json\r\nContent-Length: \(bodyLength)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        return head + "\r\n"
    }
}

/// One response as the test read it.
public struct TestReply: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as JSON.
    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: body)
    }
}

/// Runs blocking socket work on a thread of its own, so that tests waiting for the server never hold the threads
/// that run Swift's tasks, which the in-process server needs to answer them. (Dispatch's global queues are no
/// place for it: on Linux they share those threads, and add more only slowly when they block.)
public func io<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
