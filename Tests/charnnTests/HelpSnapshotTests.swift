import Foundation
import Testing

/// Every command's whole `--help`, against the snapshot in `Tests/Fixtures/help`, so that the help text and the
/// defaults it shows cannot drift unnoticed. After a deliberate change, write the snapshots anew:
///
///     for c in "" train sample predict keyboard eval inspect export import vocab bench serve; do
///         COLUMNS=100 .build/release/charnn $c --help > Tests/Fixtures/help/${c:-charnn}.txt; done
@Suite("Help text")
struct HelpSnapshotTests {
    static let commands = ["", "train", "sample", "predict", "keyboard", "eval", "inspect", "export", "import", "vocab", "bench", "serve"]

    @Test("--help prints its snapshot", arguments: commands)
    func help(command: String) throws {
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/help/\(command.isEmpty ? "charnn" : command).txt")
        let result = try CharnnProcess.run((command.isEmpty ? [] : [command]) + ["--help"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == (try String(contentsOf: snapshot, encoding: .utf8)))
    }
}
