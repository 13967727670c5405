/// One candidate for the next grapheme, as `Predictor.nextGraphemes(k:)` ranks them.
public struct GraphemePrediction: Codable, Equatable, Sendable {
    /// The grapheme (in NFC when the vocabulary normalizes).
    public var grapheme: String
    /// Its vocabulary id.
    public var id: Int32
    /// Its probability under the model: the softmax of the logits over the whole vocabulary, `<unk>` included,
    /// so the listed probabilities add up to at most 1.
    public var probability: Double

    public init(grapheme: String, id: Int32, probability: Double) {
        self.grapheme = grapheme
        self.id = id
        self.probability = probability
    }
}
