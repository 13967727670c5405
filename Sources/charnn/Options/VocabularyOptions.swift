import ArgumentParser
import CharTokenizer

/// How the vocabulary is built on the command line (new runs only).
struct VocabularyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cap the vocabulary at n ids, <unk> included.", valueName: "n")) var maxVocab: Int?
    @Option(help: ArgumentHelp("Leave out graphemes seen fewer than n times (default 1).", valueName: "n")) var minCount: Int?
    @Flag(help: "Keep the text as it is instead of normalizing it to NFC.") var noNormalize = false
    @Option(help: "The unit of text: grapheme (default) or scalar.") var unit: TokenUnit?
    @Flag(help: "Replace invalid UTF-8 with U+FFFD instead of stopping.") var lossy = false

    var settings: TokenizerSettings { TokenizerSettings(normalize: !noNormalize, unit: unit ?? .grapheme) }
    var isGiven: Bool { maxVocab != nil || minCount != nil || noNormalize || unit != nil }
}
