/// Where `charnn serve` listens and the limits that keep one client from taking the server for itself.
///
/// Every limit is checked before any model work starts: a request over one is answered with a 4xx naming the field
/// at once, and a request above `maxInFlight` with 503 and `Retry-After`, so load never piles up in queues.
public struct ServeConfiguration: Sendable, Equatable {
    /// The address to listen on; the default, loopback, serves this machine only.
    public var host: String
    /// The port; 0 asks the system for a free one (the port taken is reported when the server is listening).
    public var port: Int
    /// Requests doing model work (sample, predict, eval) at once; a streamed sample counts until its stream ends.
    public var maxInFlight: Int
    /// The largest request body read, in bytes.
    public var maxBodyBytes: Int
    /// The longest text accepted in a field (a prime, a stop text, a text to predict after or evaluate), in graphemes.
    public var maxTextGraphemes: Int
    /// The most graphemes one sample may ask for.
    public var maxLength: Int
    /// How long requests in flight may take to finish once shutdown has begun, in seconds; then they are cancelled.
    public var shutdownGrace: Double
    /// A connection that has sent part of a request, or nothing since its last answer, for this many seconds is
    /// closed, so that slow or idle clients cannot hold connections open.
    public var idleTimeout: Double

    /// The limits `charnn serve` starts with unless told otherwise.
    public init(host: String = "127.0.0.1", port: Int = 8080, maxInFlight: Int = 8, maxBodyBytes: Int = 1 << 20,
                maxTextGraphemes: Int = 20_000, maxLength: Int = 2_000, shutdownGrace: Double = 10,
                idleTimeout: Double = 30) {
        self.host = host
        self.port = port
        self.maxInFlight = maxInFlight
        self.maxBodyBytes = maxBodyBytes
        self.maxTextGraphemes = maxTextGraphemes
        self.maxLength = maxLength
        self.shutdownGrace = shutdownGrace
        self.idleTimeout = idleTimeout
    }

    /// Throws a `ServeConfigurationError` naming the first setting out of range.
    public func validate() throws(ServeConfigurationError) {
        if !(0...65_535).contains(port) { throw .outOfRange(setting: "port", value: "\(port)", expected: "0 to 65535") }
        if maxInFlight < 1 { throw .outOfRange(setting: "max-in-flight", value: "\(maxInFlight)", expected: "at least 1") }
        if maxBodyBytes < 1 { throw .outOfRange(setting: "max-body-bytes", value: "\(maxBodyBytes)", expected: "at least 1") }
        if maxTextGraphemes < 1 {
            throw .outOfRange(setting: "max-text", value: "\(maxTextGraphemes)", expected: "at least 1 grapheme")
        }
        if maxLength < 0 { throw .outOfRange(setting: "max-length", value: "\(maxLength)", expected: "0 or more graphemes") }
        if !(shutdownGrace >= 0 && shutdownGrace.isFinite) {
            throw .outOfRange(setting: "shutdown-grace", value: "\(shutdownGrace)", expected: "a finite number of seconds >= 0")
        }
        if !(idleTimeout > 0 && idleTimeout.isFinite) {
            throw .outOfRange(setting: "idle-timeout", value: "\(idleTimeout)", expected: "a finite number of seconds > 0")
        }
    }
}
