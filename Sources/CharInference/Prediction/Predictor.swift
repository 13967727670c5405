import CharModel
import CharTokenizer

/// Keyboard-style prediction for one text field: feed it what the user types, a grapheme cluster at a time, and ask
/// for the likely next graphemes and the likely ways to finish the word at the cursor.
///
/// The text is kept as NFC grapheme clusters (as the tokenizer's settings say), each fed to the model as one step;
/// graphemes outside the vocabulary are fed as `<unk>`. Typing can change the last grapheme rather than add one
/// (e + U+0301 becomes é; a ZWJ emoji sequence typed piece by piece; CR then LF): `append` then undoes the last
/// grapheme and feeds the merged one, so the state is always the state of the text as the tokenizer splits it.
///
/// Before any text the model is fed a line feed when its vocabulary has one, as if at the start of a line.
///
/// Cost per call (H hidden size, L layers, E embedding size, V vocabulary size; one model step is about
/// 4H(E + H) + 4H(H + H)(L - 1) + VH multiply-adds, one matrix-vector product per weight matrix):
/// - `append`: one model step per grapheme added (two more when it merges with the last one), plus segmenting the
///   last grapheme and the new text; no allocation for model state.
/// - `deleteBackward`: a copy of one state (2LH + 4H + E + V floats) while the undo stack has entries; when it is
///   exhausted, one step per retained grapheme (at most `contextLimit`) to re-read the context.
/// - `nextGraphemes(k:)`: a softmax over V and a top-k selection, O(V k); no model step.
/// - `completions(k:maxLength:)`: at most `searchBudget` model steps, taken up to 4 streams at a time, and O(V)
///   work per step (see `completions`).
///
/// Memory per predictor: `undoDepth + 4 searchBudget + 2` inference states of (2LH + 4H + E + V) floats each (with
/// the defaults and H = 256, L = 2, E = 64, V = 100 that is 98 states of 8.8 KB, about 0.87 MB), the search's
/// scratch for 4 streams, the retained context (at most `contextLimit` graphemes) and its O(searchBudget V)
/// candidate queue. The model's weights are not copied.
///
/// Thread safety: the model is only read, so any number of predictors (on any threads) can share one
/// `LanguageModel`; a predictor itself holds mutable state and must be used from one thread at a time.
public final class Predictor {
    /// The settings that bound a predictor's memory and work.
    public struct Configuration: Sendable, Equatable {
        /// Graphemes of context retained for re-reading (the newest are kept).
        public var contextLimit: Int
        /// Earlier states kept for `deleteBackward`.
        public var undoDepth: Int
        /// Most partial completions one `completions` call may expand, each one model step of its stream (taken up
        /// to 4 at a time). The default of 16 keeps a keystroke's completions under about 2 ms with H = 256, L = 2 on
        /// one core; a trained model's search usually ends after about 7, and one that hits the budget returns the
        /// best it found.
        public var searchBudget: Int
        /// In scripts where ICU has to be asked whether a grapheme ends the word (Thai, kana, ideographs, ...),
        /// candidates less likely than this as the next grapheme are classified by a cheap guess (a word grapheme
        /// continues the word, anything else ends it) instead of asking ICU. 0 asks ICU for every candidate.
        public var exactBoundaryThreshold: Double

        /// Defaults: 256 graphemes of context, 32 undo states, 16 search steps, ICU asked above probability 1e-4.
        public init(contextLimit: Int = 256, undoDepth: Int = 32, searchBudget: Int = 16, exactBoundaryThreshold: Double = 1e-4) {
            self.contextLimit = contextLimit
            self.undoDepth = undoDepth
            self.searchBudget = searchBudget
            self.exactBoundaryThreshold = exactBoundaryThreshold
        }

        func validate() throws(PredictorError) {
            guard contextLimit >= 1 else { throw .invalidSetting("context limit must be at least 1 grapheme, got \(contextLimit)") }
            guard undoDepth >= 0 && undoDepth <= contextLimit else {
                throw .invalidSetting("undo depth must be in 0...\(contextLimit) (the context limit), got \(undoDepth)")
            }
            guard searchBudget >= 1 else { throw .invalidSetting("search budget must be at least 1 step, got \(searchBudget)") }
            guard exactBoundaryThreshold >= 0 && exactBoundaryThreshold <= 1 else {
                throw .invalidSetting("exact boundary threshold must be in [0, 1], got \(exactBoundaryThreshold)")
            }
        }
    }

    /// The model (shared, read-only).
    public let model: LanguageModel
    /// The tokenizer whose settings and vocabulary the text is split and mapped with.
    public let tokenizer: Tokenizer
    /// The limits it was made with.
    public let configuration: Configuration
    /// What it learns from its user, when it is personalised; nil for the shared model alone.
    public let personalisation: Personalisation?

    private let state: InferenceState
    private let start: InferenceState
    private let undo: StateStack
    private let rules: WordEndRules
    private let search: CompletionSearch
    /// The retained context, as grapheme clusters and their ids.
    private var units: [String] = []
    private var ids: [Int32] = []
    private var probabilities: [Double]
    /// Where the words before the cursor are looked for: enough graphemes for any real word.
    private static let wordWindow = 64

    /// A predictor over `model` with `tokenizer` (the one saved with the model), at the start of an empty text.
    /// With `personalisation` (made for `model`), it learns from what is typed; see `Personalisation`.
    public init(model: LanguageModel, tokenizer: Tokenizer, configuration: Configuration = Configuration(),
                personalisation: Personalisation? = nil) throws {
        guard tokenizer.vocabulary.count == model.config.vocabularySize else {
            throw PredictorError.vocabularyMismatch(vocabulary: tokenizer.vocabulary.count, model: model.config.vocabularySize)
        }
        try configuration.validate()
        if let personalisation, personalisation.delta.config != model.config {
            throw PredictorError.invalidSetting("the personalisation was made for another model configuration")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.personalisation = personalisation
        state = model.makeInferenceState()
        start = model.makeInferenceState()
        undo = StateStack(config: model.config, capacity: configuration.undoDepth)
        rules = try WordEndRules(vocabulary: tokenizer.vocabulary)
        search = CompletionSearch(model: model, delta: personalisation?.delta, rules: rules, budget: configuration.searchBudget,
                                  exactThreshold: configuration.exactBoundaryThreshold)
        probabilities = Array(repeating: 0, count: model.config.vocabularySize)
        for id in tokenizer.vocabulary.lineStartIDs { try model.step(token: id, state: start, delta: personalisation?.delta) }
        state.copy(from: start)
    }

    // MARK: Text

    /// The retained context (the newest `contextLimit` graphemes of the text), in NFC when the settings normalize.
    public var text: String { units.joined() }

    /// Number of graphemes retained.
    public var graphemeCount: Int { units.count }

    /// The part of the word at the cursor already typed, by ICU's word rules; "" after a space or punctuation.
    public var currentWord: String { rules.wordAtEnd(of: units.suffix(Self.wordWindow).joined()) }

    /// The logits of the next grapheme after the text so far.
    public var logits: UnsafeBufferPointer<Float> { state.logits }

    /// Types `text` at the end: its grapheme clusters are fed one model step each. When the first of them merges
    /// with the last grapheme already there, that grapheme is undone and the merged one fed instead.
    public func append(_ text: String) {
        guard !text.isEmpty else { return }
        guard let last = units.last else {
            for unit in tokenizer.units(of: text) { feed(unit) }
            return
        }
        let merged = tokenizer.units(of: last + text)
        if merged.first == last {
            for unit in merged.dropFirst() { feed(unit) }
        } else {
            removeLast()
            for unit in merged { feed(unit) }
        }
    }

    /// Deletes the last grapheme cluster, as Backspace does; false when there is nothing to delete.
    ///
    /// The state before it comes from the undo stack (a copy); when the stack is exhausted the retained context is
    /// re-read from the start state, refilling the stack on the way. The result equals the state of a fresh
    /// predictor fed the remaining text, as long as the whole text fitted in `contextLimit`.
    @discardableResult
    public func deleteBackward() -> Bool {
        guard !units.isEmpty else { return false }
        removeLast()
        return true
    }

    /// The grapheme clusters `text` is typed as: in NFC when the tokenizer's settings normalize.
    public func graphemes(of text: String) -> [String] {
        tokenizer.units(of: tokenizer.settings.normalize ? Normalization.nfc(text) : text)
    }

    /// Starts over from `context` (its newest `contextLimit` graphemes), as when a text field is focused. A
    /// personalised predictor first learns from what was typed since its last step.
    public func reset(context: String = "") {
        learn()
        let all = tokenizer.units(of: context)
        units = Array(all.suffix(configuration.contextLimit))
        ids = units.map { tokenizer.vocabulary.id(for: $0) }
        reread()
    }

    private func feed(_ unit: String) {
        let id = tokenizer.vocabulary.id(for: unit)
        undo.push(state)
        if id != Vocabulary.unknownID { personalisation?.record(state, followedBy: id) }
        // Ids from the model's own vocabulary (checked in init) are always in range.
        try! model.step(token: id, state: state, delta: personalisation?.delta)
        if unit == " " || unit == "\n" { learn() }
        units.append(unit)
        ids.append(id)
        if units.count > configuration.contextLimit {
            let excess = units.count - configuration.contextLimit
            units.removeFirst(excess)
            ids.removeFirst(excess)
        }
    }

    private func removeLast() {
        if ids.last != Vocabulary.unknownID { personalisation?.dropLast() }
        units.removeLast()
        ids.removeLast()
        if !undo.pop(into: state) { reread() }
    }

    /// Feeds the retained context from the start state, keeping the states before its last `undoDepth` graphemes.
    private func reread() {
        undo.removeAll()
        state.copy(from: start)
        // The start state's logits were computed with the change as it was then.
        if let personalisation { try! model.refreshLogits(of: state, delta: personalisation.delta) }
        let stackFrom = ids.count - undo.capacity
        for (index, id) in ids.enumerated() {
            if index >= stackFrom { undo.push(state) }
            try! model.step(token: id, state: state, delta: personalisation?.delta)
        }
    }

    /// A personalised predictor's gradient step on the graphemes recorded since the last; the current logits are
    /// then recomputed with the changed decoder. (States on the undo stack keep the logits they had.)
    private func learn() {
        guard let personalisation, personalisation.pending > 0 else { return }
        personalisation.learn()
        try! model.refreshLogits(of: state, delta: personalisation.delta)
    }

    // MARK: Predictions

    /// The k most likely next graphemes, most likely first (ties: lower id first), `<unk>` left out.
    /// Probabilities are the softmax of the logits over the whole vocabulary.
    public func nextGraphemes(k: Int) -> [GraphemePrediction] {
        guard k > 0 else { return [] }
        let logits = state.logits
        let total = Softmax.exponentiate(logits, into: &probabilities)
        // Ids go in in increasing order, so ties keep the lower id first.
        var top = TopK<(id: Int, probability: Double)>(k: k) { $0.probability > $1.probability }
        for id in 1..<logits.count { top.insert((id, probabilities[id] / total)) }
        return top.elements.map {
            GraphemePrediction(grapheme: tokenizer.vocabulary.graphemes[$0.id - 1], id: Int32($0.id), probability: $0.probability)
        }
    }

    /// The k most likely ways to finish the word at the cursor, most likely first; after a space or punctuation
    /// (no word at the cursor) the k most likely next words.
    ///
    /// A completion appends graphemes c_1..c_n (0 <= n <= maxLength; n >= 1 for a next word) such that each c_i
    /// continues the word: ICU, segmenting the word so far followed by c_i, puts no word boundary before c_i (for a
    /// next word, c_1 alone is a word to ICU). Its probability is
    ///
    ///     P = p(c_1 | text) · p(c_2 | text c_1) ··· p(c_n | text c_1..c_{n-1}) · E
    ///     E = Σ p(c | text c_1..c_n) over the graphemes c that would end the word there
    ///
    /// (E is the chance that what follows starts something new: a space, punctuation, or in Thai or Japanese the
    /// next word as ICU's dictionary segments it.) `<unk>` counts in neither. Probabilities are the model's
    /// softmax over the whole vocabulary.
    ///
    /// The search is best-first and exact unless it hits `searchBudget` model steps, after which it returns the
    /// best found so far (`lastSearchWasExact` tells). Cost: one model step per partial completion expanded, plus
    /// O(V) per step; in scripts that need ICU (see `Configuration.exactBoundaryThreshold`) one ICU word
    /// segmentation per likely candidate per step.
    public func completions(k: Int, maxLength: Int = 16) -> [WordCompletion] {
        let prefix = currentWord
        let lastIsSimple = prefix.isEmpty ? false : rules.isSimple[Int(ids.last ?? 0)]
        return search.run(root: state, prefix: prefix, prefixLastIsSimple: lastIsSimple, k: k, maxLength: maxLength)
    }

    /// Model steps the last `completions` call took.
    public var lastSearchSteps: Int { search.lastSteps }

    /// Whether the last `completions` call finished within `searchBudget`, so its list is exactly the k best.
    public var lastSearchWasExact: Bool { search.lastIsExact }
}
