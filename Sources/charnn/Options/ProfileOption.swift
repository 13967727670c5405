import ArgumentParser
import CharInference
import Foundation

/// `--profile FILE`: personalisation, off unless asked for. The predictor learns from what is typed and the profile
/// keeps what it learned (see `Personalisation`).
struct ProfileOption: ParsableArguments {
    @Option(help: ArgumentHelp("Learn from what is typed and keep it in this profile file (created when missing; delete it to forget).",
                               valueName: "file"))
    var profile: String?

    /// The profile of one command: the personalisation to predict with, and where to save it.
    struct Session {
        /// What the predictor learns with; nil when no profile was asked for or the file could not be used.
        let personalisation: Personalisation?
        /// Where to save it; nil when nothing must be written (no profile, or one left as it was found).
        let url: URL?

        /// Writes what was learned, durably; a failure is one line naming the file.
        func save() throws {
            guard let personalisation, let url else { return }
            do {
                try personalisation.save(to: url)
            } catch {
                throw CLIError.failed("cannot save profile \(url.relativePath): \(error)")
            }
        }
    }

    /// The personalisation for `model`: the profile's, or a fresh one when the file does not exist yet. A profile
    /// that cannot be used is reported in one warning and left as it is, and the shared model is used alone.
    ///
    /// - Throws: `CLIError` when the profile could not be saved where it is asked for, before anything is typed.
    func open(for model: LanguageModel) throws -> Session {
        guard let profile else { return Session(personalisation: nil, url: nil) }
        let url = URL(fileURLWithPath: profile)
        let folder = url.deletingLastPathComponent().path
        guard access(folder, W_OK) == 0 else {
            throw CLIError.failed("cannot write profile \(profile): \(String(cString: strerror(errno))) (folder \(folder))")
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            return Session(personalisation: Personalisation(model: model), url: url)
        }
        do {
            return Session(personalisation: try Personalisation.load(from: url, model: model), url: url)
        } catch let error as ProfileError {
            log("warning: \(error); predicting with the shared model alone and leaving the file as it is (delete it to start a new profile)")
            return Session(personalisation: nil, url: nil)
        }
    }
}
