/// One way to finish the word at the cursor (or, after a space, one next word), as `Predictor.completions` ranks them.
public struct WordCompletion: Codable, Equatable, Sendable {
    /// The whole word: the part already typed followed by `suffix`.
    public var word: String
    /// The graphemes to append to the text to complete the word; empty when the word as typed is itself the
    /// completion.
    public var suffix: String
    /// How many graphemes `suffix` has.
    public var suffixLength: Int
    /// P(suffix, then a word boundary): the product of the model's probabilities of the suffix's graphemes, times
    /// the probability that the grapheme after it starts a new word (see `Predictor.completions`).
    public var probability: Double

    public init(word: String, suffix: String, suffixLength: Int, probability: Double) {
        self.word = word
        self.suffix = suffix
        self.suffixLength = suffixLength
        self.probability = probability
    }
}
