import CharModel
import CharTokenizer
import Foundation

// How every command writes: generated text and reports to standard output, logs and warnings to standard error.

/// Writes one line to standard error.
func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes the BLAS's warnings (a kernel set that failed its check, or a forced one weaker than the CPU allows), for
/// the commands whose speed rests on it.
func logBLASWarnings() {
    for warning in (try? BLASBackend.current())?.warnings ?? [] { log(warning) }
}

/// Writes text to standard output at once, so a person sees it appear.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Prints `value` as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A grapheme or word for display: escaped (see `GraphemeDisplay`) and in double quotes.
func quoted(_ text: String) -> String { "\"" + GraphemeDisplay.escaped(text) + "\"" }

/// `text` followed by spaces up to `width` characters.
func padded(_ text: String, to width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

/// A probability as a percentage with two decimals, right-aligned in 7 columns.
func percent(_ probability: Double) -> String {
    let text = String(format: "%.2f%%", probability * 100)
    return String(repeating: " ", count: max(0, 7 - text.count)) + text
}
