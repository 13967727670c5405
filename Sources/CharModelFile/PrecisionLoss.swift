/// How much a reduced-precision model file loses against the fp32 model it was exported from, measured by
/// `charnn export --weights` on the test split of the run's corpus and kept in the file's metadata for
/// `charnn inspect` (`weights_loss`, JSON).
public struct PrecisionLoss: Codable, Equatable, Sendable {
    /// The text measured: the corpus path, as the run recorded it or as given to export.
    public var corpus: String
    /// The split of it measured ("test", cut as the run's training cut it).
    public var split: String
    /// Graphemes measured.
    public var graphemes: Int
    /// The fp32 model's loss, nats per grapheme.
    public var fp32Loss: Double
    /// The reduced model's loss, nats per grapheme.
    public var loss: Double

    /// A measurement of these parts.
    public init(corpus: String, split: String, graphemes: Int, fp32Loss: Double, loss: Double) {
        (self.corpus, self.split, self.graphemes, self.fp32Loss, self.loss) = (corpus, split, graphemes, fp32Loss, loss)
    }

    /// The relative increase, (loss - fp32Loss) / fp32Loss: 0.01 is 1% higher.
    public var increase: Double { (loss - fp32Loss) / fp32Loss }
}
