import Logging
import Synchronization

/// What an endpoint noted about one request (the model used, graphemes generated, how a sample ended), added to the
/// request's log line. A reference in the request's context, because the log line is written after the endpoint has
/// returned, and for a stream after its last event.
final class RequestRecord: Sendable {
    private let notes = Mutex<Logger.Metadata>([:])

    /// Notes `value` under `key`, replacing an earlier note under it.
    func note(_ key: String, _ value: String) {
        notes.withLock { $0[key] = .string(value) }
    }

    /// Everything noted so far.
    var metadata: Logger.Metadata { notes.withLock { $0 } }
}
