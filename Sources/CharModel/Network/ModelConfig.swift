/// The network's hyperparameters: everything needed to rebuild its shapes. Saved in every checkpoint.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// V: number of token ids the embedding and decoder cover.
    public var vocabularySize: Int
    /// E: size of each token's embedding vector.
    public var embeddingSize: Int
    /// H: hidden and cell size of every LSTM layer.
    public var hiddenSize: Int
    /// L: number of stacked LSTM layers.
    public var layers: Int
    /// Probability of zeroing a unit between stacked layers, in training only (as PyTorch's `nn.LSTM(dropout:)`).
    public var dropout: Float
    /// Probability of zeroing a unit of the top layer's output before the decoder reads it, in training only (as
    /// char-rnn does). 0 is not written to files, so that configurations without it read and write as before it
    /// existed.
    public var outputDropout: Float
    /// Probability of zeroing each recurrent weight (an entry of a layer's W_hh) for a whole window, in training only:
    /// DropConnect on the hidden-to-hidden weights, as AWD-LSTM's weight drop. One mask per layer and window, shared by
    /// every stream and step, so that it regularises the recurrence without breaking it step by step. 0 is not written
    /// to files, as `outputDropout`.
    public var weightDrop: Float

    /// The hidden size `charnn train` uses when none is given; the embedding size follows it.
    public static let defaultHiddenSize = 384
    /// The number of layers `charnn train` uses when none is given.
    public static let defaultLayers = 2
    /// The dropout `charnn train` uses when none is given. A configuration built in code says its own (`init`
    /// takes 0, no dropout, unless told).
    public static let defaultDropout: Float = 0.35
    /// The output dropout `charnn train` uses when none is given.
    public static let defaultOutputDropout: Float = 0
    /// The weight drop `charnn train` uses when none is given.
    public static let defaultWeightDrop: Float = 0

    /// A configuration; call `validate()` before building a model from user input.
    public init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, layers: Int, dropout: Float = 0, outputDropout: Float = 0,
                weightDrop: Float = 0) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.dropout = dropout
        self.outputDropout = outputDropout
        self.weightDrop = weightDrop
    }

    /// Throws a `ModelError` naming the first hyperparameter out of range.
    public func validate() throws(ModelError) {
        if vocabularySize < 1 { throw .invalidHyperparameter("vocabulary size must be at least 1, got \(vocabularySize)") }
        if embeddingSize < 1 { throw .invalidHyperparameter("embedding size must be at least 1, got \(embeddingSize)") }
        if hiddenSize < 1 { throw .invalidHyperparameter("hidden size must be at least 1, got \(hiddenSize)") }
        if layers < 1 { throw .invalidHyperparameter("number of layers must be at least 1, got \(layers)") }
        if !(dropout >= 0 && dropout < 1) { throw .invalidHyperparameter("dropout must be in [0, 1), got \(dropout)") }
        if !(outputDropout >= 0 && outputDropout < 1) {
            throw .invalidHyperparameter("output dropout must be in [0, 1), got \(outputDropout)")
        }
        if !(weightDrop >= 0 && weightDrop < 1) { throw .invalidHyperparameter("weight drop must be in [0, 1), got \(weightDrop)") }
    }

    /// Input size of layer `k`: E for the first layer, H above it.
    public func inputSize(ofLayer k: Int) -> Int { k == 0 ? embeddingSize : hiddenSize }
}

extension ModelConfig {
    private enum CodingKeys: String, CodingKey {
        case vocabularySize, embeddingSize, hiddenSize, layers, dropout, outputDropout, weightDrop
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabularySize: try c.decode(Int.self, forKey: .vocabularySize), embeddingSize: try c.decode(Int.self, forKey: .embeddingSize),
                  hiddenSize: try c.decode(Int.self, forKey: .hiddenSize), layers: try c.decode(Int.self, forKey: .layers),
                  dropout: try c.decode(Float.self, forKey: .dropout),
                  outputDropout: try c.decodeIfPresent(Float.self, forKey: .outputDropout) ?? 0,
                  weightDrop: try c.decodeIfPresent(Float.self, forKey: .weightDrop) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(embeddingSize, forKey: .embeddingSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(layers, forKey: .layers)
        try c.encode(dropout, forKey: .dropout)
        if outputDropout != 0 { try c.encode(outputDropout, forKey: .outputDropout) }
        if weightDrop != 0 { try c.encode(weightDrop, forKey: .weightDrop) }
    }
}
