#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Set by the first SIGINT or SIGTERM; a lock-free atomic store is safe inside a signal handler.
private let stopRequested = Atomic<Bool>(false)

/// Turns SIGINT (Ctrl-C) and SIGTERM into a polite request: training finishes its step, saves and exits.
/// A second signal is not polite: the default action kills the process at once, which is safe because every
/// checkpoint is written to a temporary file and renamed into place.
enum StopSignals {
    /// Installs the handlers, and unblocks the two signals: a parent (a job runner, a test harness, Foundation's
    /// `Process`) may start us with them blocked, and a blocked Ctrl-C would be held back until training ends.
    static func install() {
        unblock([SIGINT, SIGTERM])
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                stopRequested.store(true, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }

    /// Whether a stop has been requested.
    static var requested: Bool { stopRequested.load(ordering: .relaxed) }
}

/// Unblocks `signals` for this thread. A parent (a job runner, a test harness, Foundation's `Process`, which passes
/// its mask on) may start the process with them blocked, and then they would be held back until it exits.
func unblock(_ signals: [Int32]) {
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for signalNumber in signals { sigaddset(&unblocked, signalNumber) }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
}
