/// How the next grapheme is drawn from the model's distribution.
public struct SamplingOptions: Codable, Equatable, Sendable {
    /// Divides the logits: below 1 sharpens, above 1 flattens; 0 means always the most likely (greedy).
    public var temperature: Float = 1
    /// Draw only among the k most likely graphemes, if set.
    public var topK: Int?
    /// Draw only among the most likely graphemes whose probabilities add up to at least p (nucleus), if set.
    public var topP: Float?
    /// Seed of the generator: the same seed, options and model give the same text.
    public var seed: UInt64 = 1

    /// The defaults: temperature 1, no truncation, seed 1.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, seed: UInt64 = 1) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    /// Throws a `SamplingError.invalidOption` naming the first option out of range.
    public func validate() throws(SamplingError) {
        guard temperature >= 0 && temperature.isFinite else {
            throw .invalidOption("temperature must be a finite number >= 0, got \(temperature)")
        }
        if let topK, topK < 1 { throw .invalidOption("top-k must be at least 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw .invalidOption("top-p must be in (0, 1], got \(topP)") }
    }
}
