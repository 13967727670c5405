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
    /// char-rnn does); nil, in configurations from before it existed, reads as 0 (`decoderDropout`).
    public var outputDropout: Float?

    /// The hidden size `charnn train` uses when none is given; the embedding size follows it.
    public static let defaultHiddenSize = 256
    /// The number of layers `charnn train` uses when none is given.
    public static let defaultLayers = 2
    /// The dropout `charnn train` uses when none is given. A configuration built in code says its own (`init`
    /// takes 0, no dropout, unless told).
    public static let defaultDropout: Float = 0.25
    /// The output dropout `charnn train` uses when none is given.
    public static let defaultOutputDropout: Float = 0

    /// A configuration; call `validate()` before building a model from user input.
    public init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, layers: Int, dropout: Float = 0, outputDropout: Float? = nil) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.dropout = dropout
        self.outputDropout = outputDropout
    }

    /// The probability of zeroing a unit of the top layer's output: `outputDropout`, 0 when unset.
    public var decoderDropout: Float { outputDropout ?? 0 }

    /// Throws a `ModelError` naming the first hyperparameter out of range.
    public func validate() throws(ModelError) {
        if vocabularySize < 1 { throw .invalidHyperparameter("vocabulary size must be at least 1, got \(vocabularySize)") }
        if embeddingSize < 1 { throw .invalidHyperparameter("embedding size must be at least 1, got \(embeddingSize)") }
        if hiddenSize < 1 { throw .invalidHyperparameter("hidden size must be at least 1, got \(hiddenSize)") }
        if layers < 1 { throw .invalidHyperparameter("number of layers must be at least 1, got \(layers)") }
        if !(dropout >= 0 && dropout < 1) { throw .invalidHyperparameter("dropout must be in [0, 1), got \(dropout)") }
        if !(decoderDropout >= 0 && decoderDropout < 1) {
            throw .invalidHyperparameter("output dropout must be in [0, 1), got \(decoderDropout)")
        }
    }

    /// Input size of layer `k`: E for the first layer, H above it.
    public func inputSize(ofLayer k: Int) -> Int { k == 0 ? embeddingSize : hiddenSize }
}
