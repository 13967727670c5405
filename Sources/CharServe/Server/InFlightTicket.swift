import Synchronization

/// One slot of an `InFlightLimit`, given back by `release()` or, failing that, when the ticket is freed.
///
/// The second path exists for streamed answers: the ticket travels inside the response body's closure, and if the
/// connection fails before that closure runs, the closure (and the ticket) is freed without ever running.
final class InFlightTicket: Sendable {
    private let limit: InFlightLimit
    private let released = Mutex(false)

    init(limit: InFlightLimit) {
        self.limit = limit
    }

    /// Gives the slot back; later calls do nothing.
    func release() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        if first { limit.release() }
    }

    deinit {
        release()
    }
}
