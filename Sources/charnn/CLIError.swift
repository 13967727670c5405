import ArgumentParser
import CharModel
import Foundation

/// Mistakes in the command line's own input that no library type describes.
enum CLIError: Error, CustomStringConvertible, Equatable {
    /// An option's value is out of its range.
    case invalidValue(option: String, value: String, expected: String)
    /// A failure described in full by its message.
    case failed(String)

    var description: String {
        switch self {
        case .invalidValue(let option, let value, let expected):
            return "invalid value \(value) for \(option): expected \(expected)"
        case .failed(let message):
            return message
        }
    }
}

extension Charnn {
    /// Runs the tool, turning every failure into one `error: ...` line on standard error and a non-zero exit,
    /// instead of ArgumentParser's multi-line usage dump; `--help` and `--version` still go to standard output.
    static func main() {
        do {
            var command = try parseAsRoot()
            // Load the BLAS before the command starts: its kernel choice sets the environment for a moment (see
            // BLASBackend), which is only safe while the process has one thread; and a missing library is best said
            // before any work starts. Help and the version need none.
            _ = try BLASBackend.current()
            try command.run()
        } catch {
            exitReporting(error)
        }
    }

    /// Prints `error` as one line on standard error and exits with its code (0 and the help text for help requests).
    static func exitReporting(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }
        if let exitCode = error as? ExitCode { Foundation.exit(exitCode.rawValue) }
        let message = message(for: error)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        // Usage mistakes (exit code 64) come from ArgumentParser, whose messages do not say where help is.
        let hint = code == .validationFailure ? " (see charnn help)" : ""
        log("error: \(message)\(hint)")
        Foundation.exit(code.rawValue)
    }
}
