import CharTokenizer

/// What typing a text with a predictor's help would save, and how fast the predictor answers: `charnn eval --keyboard`.
///
/// The simulated user types the text grapheme by grapheme. Before each grapheme, `suggestions` completions are
/// shown (`Predictor.completions`). When the grapheme starts or continues a word (by ICU's segmentation of the
/// whole text) and one suggestion's suffix is exactly the rest of that word, of 2 graphemes or more, the user
/// accepts it with one keystroke and goes on after the word; otherwise the grapheme is typed.
///
///     keystrokeSavings = (skippedGraphemes - acceptKeystrokes) / graphemes
///
/// where skippedGraphemes counts the graphemes that accepted suggestions inserted (the user did not type them) and
/// acceptKeystrokes the acceptances (one key each). Accuracy is measured on every grapheme of the text (typed or
/// inserted): top-1 (top-3) counts those that were the predictor's first (among its first three) next-grapheme
/// choices just before. A keystroke's latency is the time the predictor takes to take the keystroke (append the
/// grapheme, or the accepted suffix) and produce the next suggestions (3 next graphemes and the completions).
public struct KeyboardSimulation: Codable, Equatable, Sendable {
    /// Graphemes in the text (after NFC).
    public var graphemes: Int
    /// Words in the text, by ICU.
    public var words: Int
    /// Graphemes the user typed.
    public var typedGraphemes: Int
    /// Suggestions accepted (one keystroke each).
    public var acceptedCompletions: Int
    /// Graphemes inserted by accepted suggestions.
    public var skippedGraphemes: Int
    /// Keystrokes pressed: typed graphemes plus acceptances.
    public var keystrokes: Int { typedGraphemes + acceptedCompletions }
    /// (skippedGraphemes - acceptedCompletions) / graphemes: the fraction of keystrokes saved.
    public var keystrokeSavings: Double
    /// Fraction of graphemes that were the predictor's first choice.
    public var top1Accuracy: Double
    /// Fraction of graphemes among the predictor's three first choices.
    public var top3Accuracy: Double
    /// Median time per keystroke, microseconds.
    public var latencyP50Microseconds: Double
    /// 99th percentile of the time per keystroke, microseconds.
    public var latencyP99Microseconds: Double

    enum CodingKeys: String, CodingKey {
        case graphemes, words, typedGraphemes, acceptedCompletions, skippedGraphemes, keystrokes, keystrokeSavings
        case top1Accuracy, top3Accuracy, latencyP50Microseconds, latencyP99Microseconds
    }

    public init(graphemes: Int, words: Int, typedGraphemes: Int, acceptedCompletions: Int, skippedGraphemes: Int,
                top1Accuracy: Double, top3Accuracy: Double, latencyP50Microseconds: Double, latencyP99Microseconds: Double) {
        self.graphemes = graphemes
        self.words = words
        self.typedGraphemes = typedGraphemes
        self.acceptedCompletions = acceptedCompletions
        self.skippedGraphemes = skippedGraphemes
        self.keystrokeSavings = graphemes == 0 ? 0 : Double(skippedGraphemes - acceptedCompletions) / Double(graphemes)
        self.top1Accuracy = top1Accuracy
        self.top3Accuracy = top3Accuracy
        self.latencyP50Microseconds = latencyP50Microseconds
        self.latencyP99Microseconds = latencyP99Microseconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(graphemes: try c.decode(Int.self, forKey: .graphemes), words: try c.decode(Int.self, forKey: .words),
                  typedGraphemes: try c.decode(Int.self, forKey: .typedGraphemes),
                  acceptedCompletions: try c.decode(Int.self, forKey: .acceptedCompletions),
                  skippedGraphemes: try c.decode(Int.self, forKey: .skippedGraphemes),
                  top1Accuracy: try c.decode(Double.self, forKey: .top1Accuracy),
                  top3Accuracy: try c.decode(Double.self, forKey: .top3Accuracy),
                  latencyP50Microseconds: try c.decode(Double.self, forKey: .latencyP50Microseconds),
                  latencyP99Microseconds: try c.decode(Double.self, forKey: .latencyP99Microseconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(graphemes, forKey: .graphemes)
        try c.encode(words, forKey: .words)
        try c.encode(typedGraphemes, forKey: .typedGraphemes)
        try c.encode(acceptedCompletions, forKey: .acceptedCompletions)
        try c.encode(skippedGraphemes, forKey: .skippedGraphemes)
        try c.encode(keystrokes, forKey: .keystrokes)
        try c.encode(keystrokeSavings, forKey: .keystrokeSavings)
        try c.encode(top1Accuracy, forKey: .top1Accuracy)
        try c.encode(top3Accuracy, forKey: .top3Accuracy)
        try c.encode(latencyP50Microseconds, forKey: .latencyP50Microseconds)
        try c.encode(latencyP99Microseconds, forKey: .latencyP99Microseconds)
    }

    /// Simulates typing `text` into `predictor` (reset to an empty text first) with `suggestions` completions of
    /// at most `maxLength` graphemes shown before each keystroke.
    public static func run(predictor: Predictor, text: String, suggestions: Int = 3, maxLength: Int = 16) throws -> KeyboardSimulation {
        let normalized = predictor.tokenizer.settings.normalize ? Normalization.nfc(text) : text
        let units = predictor.tokenizer.units(of: normalized)
        // Which word (by ICU, over the whole text) each grapheme belongs to: its end, or nil outside words.
        var wordEnd = [Int?](repeating: nil, count: units.count)
        let segments = try WordBoundaries().segments(in: normalized)
        for segment in segments where segment.isWord {
            for index in segment.graphemeRange where index < units.count { wordEnd[index] = segment.graphemeRange.upperBound }
        }
        predictor.reset()
        var next = predictor.nextGraphemes(k: 3)
        var shown = predictor.completions(k: suggestions, maxLength: maxLength)
        var (typed, accepted, skipped, top1, top3) = (0, 0, 0, 0, 0)
        var latencies: [Double] = []
        latencies.reserveCapacity(units.count)
        let clock = ContinuousClock()

        func score(_ unit: String) {
            if let rank = next.firstIndex(where: { $0.grapheme == unit }) {
                if rank == 0 { top1 += 1 }
                top3 += 1
            }
        }
        var index = 0
        while index < units.count {
            let began = clock.now
            if let end = wordEnd[index], end - index >= 2,
               shown.contains(where: { $0.suffixLength == end - index && $0.suffix == units[index..<end].joined() }) {
                for unit in units[index..<end] {
                    score(unit)
                    predictor.append(unit)
                    next = predictor.nextGraphemes(k: 3)
                }
                accepted += 1
                skipped += end - index
                index = end
            } else {
                score(units[index])
                predictor.append(units[index])
                next = predictor.nextGraphemes(k: 3)
                typed += 1
                index += 1
            }
            shown = predictor.completions(k: suggestions, maxLength: maxLength)
            let elapsed = clock.now - began
            latencies.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        }
        latencies.sort()
        let n = Double(max(units.count, 1))
        return KeyboardSimulation(graphemes: units.count, words: segments.filter(\.isWord).count, typedGraphemes: typed,
                                  acceptedCompletions: accepted, skippedGraphemes: skipped,
                                  top1Accuracy: Double(top1) / n, top3Accuracy: Double(top3) / n,
                                  latencyP50Microseconds: percentile(latencies, 0.5), latencyP99Microseconds: percentile(latencies, 0.99))
    }
}
