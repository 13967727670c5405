import CharTokenizer

/// What typing a text with a predictor's word suggestions would save, and how fast the predictor answers:
/// `charnn eval --keyboard`. The measure is the text-entry field's keystroke savings (as kdv123/textpredict
/// counts them), with the words of ICU's segmentation:
///
/// - `slots` word suggestions (`Predictor.completions`) are shown at every position, including before the first
///   letter of a word, where they are the likely next words.
/// - When one of them is the word being typed, the user picks it with one keystroke. That enters the rest of the
///   word and, when the text goes on with a space right after the word, the space too, as phone keyboards do.
///   Before punctuation or at the end of the text, only the word is entered.
/// - Every other grapheme is typed with one keystroke.
///
///     keystrokeSavings = (graphemes - keystrokes) / graphemes
///
/// With `perLine`, each line is a phrase of its own: the predictor starts afresh at its first grapheme and line
/// feeds are not typed. Otherwise the whole text is typed in order, line feeds included.
///
/// Accuracy is measured on every grapheme of the text, typed or entered by a suggestion: top-1 (top-3) counts those
/// that were the predictor's first (among its first three) next-grapheme choices just before. A keystroke's latency
/// is the time the predictor takes to take it (append the grapheme, or the suggestion's graphemes, and learn from
/// them when it is personalised) and produce the next suggestions (3 next graphemes and `slots` words).
public struct KeyboardSimulation: Codable, Equatable, Sendable {
    /// The suggestions a keyboard shows unless told otherwise: the three of a phone's suggestion bar.
    public static let defaultSlots = 3

    /// Word suggestions shown at each position.
    public var slots: Int
    /// Phrases typed: the text's non-empty lines with `perLine`, else 1.
    public var phrases: Int
    /// Graphemes to enter (after NFC; without line feeds with `perLine`).
    public var graphemes: Int
    /// Words in the text, by ICU.
    public var words: Int
    /// Keystrokes pressed: typed graphemes plus suggestions picked.
    public var keystrokes: Int
    /// Graphemes the user typed.
    public var typedGraphemes: Int
    /// Suggestions picked (one keystroke each).
    public var acceptedSuggestions: Int
    /// Graphemes the picked suggestions entered, spaces after words included.
    public var insertedGraphemes: Int
    /// (graphemes - keystrokes) / graphemes.
    public var keystrokeSavings: Double
    /// Fraction of graphemes that were the predictor's first choice.
    public var top1Accuracy: Double
    /// Fraction of graphemes among the predictor's three first choices.
    public var top3Accuracy: Double
    /// Median time per keystroke, microseconds.
    public var latencyP50Microseconds: Double
    /// 99th percentile of the time per keystroke, microseconds.
    public var latencyP99Microseconds: Double
    /// Personalisation steps the predictor took while the text was typed (0 when it is not personalised).
    public var personalisationSteps: Int
    /// Median and 99th percentile time of the keystrokes that included a personalisation step, microseconds;
    /// 0 without personalisation.
    public var personalisedKeystrokeP50Microseconds: Double
    public var personalisedKeystrokeP99Microseconds: Double

    /// Simulates typing `text` into `predictor` with `slots` suggestions of at most `maxLength` graphemes shown at
    /// every position. The predictor is reset to an empty text first (and at each line with `perLine`); a
    /// personalised predictor keeps learning as the text is typed.
    public static func run(predictor: Predictor, text: String, slots: Int = defaultSlots, perLine: Bool = false,
                           maxLength: Int = 16) throws -> KeyboardSimulation {
        let phrases = perLine ? text.split(whereSeparator: \.isNewline).map(String.init) : [text]
        var typing = Typing(predictor: predictor, slots: slots, maxLength: maxLength)
        for phrase in phrases {
            try typing.type(phrase)
        }
        return typing.result(phrases: phrases.count)
    }
}

/// The counts of one simulation, phrase after phrase.
private struct Typing {
    let predictor: Predictor
    let slots: Int
    let maxLength: Int
    var graphemes = 0, words = 0, typed = 0, accepted = 0, inserted = 0, top1 = 0, top3 = 0
    var latencies: [Double] = []
    var personalisedLatencies: [Double] = []
    let stepsBefore: Int
    let clock = ContinuousClock()

    init(predictor: Predictor, slots: Int, maxLength: Int) {
        self.predictor = predictor
        self.slots = slots
        self.maxLength = maxLength
        stepsBefore = predictor.personalisation?.steps ?? 0
    }

    /// The personalisation steps the predictor has taken in all (0 when it is not personalised).
    private var steps: Int { predictor.personalisation?.steps ?? 0 }

    mutating func type(_ phrase: String) throws {
        predictor.reset()
        let units = predictor.graphemes(of: phrase)
        // The end of the word (by ICU, over the whole phrase) each grapheme belongs to; nil outside words.
        var wordEnd = [Int?](repeating: nil, count: units.count)
        let segments = try WordBoundaries().segments(in: units.joined())
        for segment in segments where segment.isWord {
            for index in segment.graphemeRange where index < units.count { wordEnd[index] = segment.graphemeRange.upperBound }
        }
        graphemes += units.count
        words += segments.filter(\.isWord).count

        var next = predictor.nextGraphemes(k: 3)
        var shown = predictor.completions(k: slots, maxLength: maxLength)
        var index = 0
        while index < units.count {
            let began = clock.now
            let stepsThen = steps
            let entered: Int
            if let end = wordEnd[index], shown.contains(where: { $0.suffixLength == end - index && $0.suffix == units[index..<end].joined() }) {
                entered = (end < units.count && units[end] == " " ? end + 1 : end) - index
                accepted += 1
                inserted += entered
            } else {
                entered = 1
                typed += 1
            }
            for unit in units[index..<(index + entered)] {
                if let rank = next.firstIndex(where: { $0.grapheme == unit }) {
                    if rank == 0 { top1 += 1 }
                    top3 += 1
                }
                predictor.append(unit)
                next = predictor.nextGraphemes(k: 3)
            }
            index += entered
            shown = predictor.completions(k: slots, maxLength: maxLength)
            let elapsed = clock.now - began
            let microseconds = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
            latencies.append(microseconds)
            if steps != stepsThen { personalisedLatencies.append(microseconds) }
        }
    }

    func result(phrases: Int) -> KeyboardSimulation {
        let keystrokes = typed + accepted
        let n = Double(max(graphemes, 1))
        let sorted = latencies.sorted()
        let personalised = personalisedLatencies.sorted()
        return KeyboardSimulation(
            slots: slots, phrases: phrases, graphemes: graphemes, words: words, keystrokes: keystrokes,
            typedGraphemes: typed, acceptedSuggestions: accepted, insertedGraphemes: inserted,
            keystrokeSavings: graphemes == 0 ? 0 : Double(graphemes - keystrokes) / Double(graphemes),
            top1Accuracy: Double(top1) / n, top3Accuracy: Double(top3) / n,
            latencyP50Microseconds: percentile(sorted, 0.5), latencyP99Microseconds: percentile(sorted, 0.99),
            personalisationSteps: steps - stepsBefore,
            personalisedKeystrokeP50Microseconds: percentile(personalised, 0.5),
            personalisedKeystrokeP99Microseconds: percentile(personalised, 0.99))
    }
}
