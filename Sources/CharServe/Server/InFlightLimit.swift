import Synchronization

/// The slots for model work (`ServeConfiguration.maxInFlight`). A request takes one at once or is refused at once
/// with 503: nothing queues, so a burst beyond the limit costs the server no memory and no waiting.
final class InFlightLimit: Sendable {
    /// Slots in all.
    let capacity: Int
    private let taken = Mutex(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Slots taken now.
    var inFlight: Int { taken.withLock { $0 } }

    /// A slot, held until the ticket is released; a `ServeError.busy` when every slot is taken.
    func admit() throws(ServeError) -> InFlightTicket {
        let admitted = taken.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else { throw .busy(limit: capacity) }
        return InFlightTicket(limit: self)
    }

    /// Gives a slot back; only `InFlightTicket.release()` calls this, once per ticket.
    func release() {
        taken.withLock { $0 -= 1 }
    }
}
