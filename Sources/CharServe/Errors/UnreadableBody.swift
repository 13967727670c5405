/// A request body that could not be read to its end: its client went away in the middle of it, or broke its framing
/// (a bad chunk size). It carries the error the read threw, which the request log passes on to Hummingbird, which
/// answers a framing error with 400 and closes the connection.
struct UnreadableBody: Error {
    let underlying: any Error
}
