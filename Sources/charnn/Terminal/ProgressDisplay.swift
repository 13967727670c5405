import CharTraining
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows training progress on standard error: one live line redrawn in place on a terminal; otherwise plain
/// lines at a steady cadence (every 10 seconds and at each evaluation), fit for logs. Ctrl-C or SIGTERM
/// (`StopSignals`) asks the run to stop.
final class ProgressDisplay: TrainingMonitor {
    private let live = isatty(STDERR_FILENO) == 1
    private var lastPrinted = -Double.infinity
    private var lineShown = false

    var stopRequested: Bool { StopSignals.requested }

    func report(_ p: TrainingProgress) {
        let interval = live ? 0.1 : 10
        guard p.evaluated || p.elapsedSeconds - lastPrinted >= interval else { return }
        lastPrinted = p.elapsedSeconds
        let total = p.plannedSteps.map { "/\($0)" } ?? ""
        let validation = p.lastValidationLoss.map { String(format: "%.4f", $0) } ?? "-"
        let eta = p.remainingSeconds.map { " | eta \(Self.clock($0))" } ?? ""
        let line = String(format: "iter %d%@ | epoch %d | loss %.4f | val %@ | %.0f chars/s | %@%@",
                          p.step, total, p.epoch + 1, p.smoothedLoss, validation, p.charsPerSecond, Self.clock(p.elapsedSeconds), eta)
        if live {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            lineShown = true
            if p.evaluated { finish() }
        } else {
            log(line)
        }
    }

    /// Ends the live line, so the next output starts on a line of its own.
    func finish() {
        if lineShown { FileHandle.standardError.write(Data("\n".utf8)) }
        lineShown = false
    }

    private static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
