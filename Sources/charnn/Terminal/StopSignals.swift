#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Set by the first SIGINT or SIGTERM; a lock-free atomic store is safe inside a signal handler.
private let stopRequested = Atomic<Bool>(false)

/// The line the first signal writes, if any: made before the handlers are installed, since a handler may only call
/// async-signal-safe functions such as write(2).
nonisolated(unsafe) private var announcement: [UInt8] = []

/// Turns SIGINT (Ctrl-C) and SIGTERM into a polite request: training finishes its step, saves and exits.
/// A second signal is not polite: the default action kills the process at once, which is safe because every
/// checkpoint is written to a temporary file and renamed into place.
enum StopSignals {
    /// Installs the handlers, and unblocks the two signals: a parent (a job runner, a test harness, Foundation's
    /// `Process`) may start us with them blocked, and a blocked Ctrl-C would be held back until training ends.
    /// `announce`, if given, is written to standard error on the first signal: under mpirun, which sends SIGTERM
    /// when a rank dies and kills the rest soon after, it may be the only word from a rank stuck in a collective.
    static func install(announce: String? = nil) {
        announcement = announce.map { Array(($0 + "\n").utf8) } ?? []
        unblock([SIGINT, SIGTERM])
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                stopRequested.store(true, ordering: .relaxed)
                signal(received, SIG_DFL)
                announcement.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
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
