import Foundation

/// The project's shared data folder, `../shared` next to the package root, found from this file's path.
enum SharedData {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CharTokenizerTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared")

    static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    /// The lines of a shared UTF-8 text file.
    static func lines(_ relative: String) throws -> [Substring] {
        let text = try String(contentsOfFile: path(relative), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The string made of hex code points such as "0044 0307".
    static func scalars(_ hex: Substring) -> String {
        var result = ""
        for field in hex.split(separator: " ") {
            result.unicodeScalars.append(Unicode.Scalar(UInt32(field, radix: 16)!)!)
        }
        return result
    }
}
