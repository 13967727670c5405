import ArgumentParser
import CharTokenizer
import Foundation

/// `charnn vocab`: builds a corpus's vocabulary and shows its size, its most frequent units and its coverage.
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Build a corpus's vocabulary and show its statistics.",
        discussion: """
            Text is NFC-normalized, then split into grapheme clusters (ICU, UAX #29); ids follow frequency. \
            Id 0 is <unk>, which stands for everything outside the vocabulary.
            """
    )

    @Argument(help: "A UTF-8 text file, a directory of .txt files (searched recursively), or - for standard input.")
    var corpus: String

    @OptionGroup(title: "Vocabulary") var vocabulary: VocabularyOptions

    @Option(help: ArgumentHelp("How many of the most frequent units to list.", valueName: "n"))
    var top: Int = 20

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The report, as printed with `--json`.
    struct Report: Codable, Equatable {
        struct Entry: Codable, Equatable {
            var rank: Int
            var id: Int32
            var grapheme: String
            var display: String
            var count: Int
        }

        var corpus: String
        var files: Int
        var bytes: Int
        var unit: TokenUnit
        var normalize: Bool
        var icuVersion: String
        var unicodeVersion: String
        var units: Int
        var distinct: Int
        var vocabularySize: Int
        var maxSize: Int?
        var minCount: Int
        var coverage: Double
        var unknown: Int
        var top: [Entry]
    }

    func run() throws {
        guard top >= 0 else { throw CLIError.invalidValue(option: "--top", value: String(top), expected: "0 or more") }
        let text = try CorpusReader(lossy: vocabulary.lossy).read(corpus)
        let settings = vocabulary.settings
        let (maxSize, minCount, unit) = (vocabulary.maxVocab, vocabulary.minCount ?? 1, settings.unit)
        let frequencies = try GraphemeFrequencies(counting: text.text, settings: settings)
        let built = try Vocabulary(frequencies: frequencies, maxSize: maxSize, minCount: minCount)
        let report = Report(
            corpus: corpus == CorpusReader.standardInputPath ? "standard input" : corpus,
            files: text.files.count, bytes: text.byteCount, unit: unit, normalize: settings.normalize,
            icuVersion: built.versions.icuVersion, unicodeVersion: built.versions.unicodeVersion,
            units: frequencies.total, distinct: frequencies.distinctCount, vocabularySize: built.count,
            maxSize: maxSize, minCount: minCount, coverage: built.coverage(of: frequencies),
            unknown: built.unknownCount,
            top: frequencies.entries.prefix(top).enumerated().map { index, entry in
                Report.Entry(
                    rank: index + 1, id: built.id(for: entry.grapheme), grapheme: entry.grapheme,
                    display: GraphemeDisplay.escaped(entry.grapheme), count: entry.count)
            }
        )
        if json {
            try printJSON(report)
        } else {
            print(Self.render(report))
        }
    }

    static func render(_ report: Report) -> String {
        let unitName = report.unit == .grapheme ? "graphemes" : "scalars"
        let files = report.files == 1 ? "1 file" : "\(report.files) files"
        var lines = [
            "corpus      \(report.corpus) (\(files), \(report.bytes) bytes)",
            "units       \(report.units) \(unitName), \(report.distinct) distinct (\(report.normalize ? "NFC" : "not normalized"), ICU \(report.icuVersion), Unicode \(report.unicodeVersion))",
            "vocabulary  \(report.vocabularySize) ids (\(report.vocabularySize - 1) \(unitName) + <unk>)",
            "coverage    \(percent(report.coverage)) of \(unitName) (max size \(report.maxSize.map(String.init) ?? "none"), min count \(report.minCount)); \(report.unknown) become <unk>",
        ]
        if !report.top.isEmpty {
            lines.append("top \(report.top.count):")
            lines.append("   rank     id       count   share  \(report.unit == .grapheme ? "grapheme" : "scalar")")
            for entry in report.top {
                let share = percent(Double(entry.count) / Double(max(report.units, 1)))
                lines.append(
                    pad(entry.rank, 7) + pad(entry.id, 7) + pad(entry.count, 12) + pad(share, 8) + "  \"\(entry.display)\"")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", fraction * 100)
    }

    private static func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
