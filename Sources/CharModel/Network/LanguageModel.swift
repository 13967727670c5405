import Synchronization

/// The character language model: embedding -> L stacked LSTM layers -> linear decoder -> softmax.
///
///     x_t = embedding.weight[token_t]                        [E]
///     h^0_t, ..., h^{L-1}_t: LSTM layers (see `LSTMLayer`), inverted dropout between layers in training
///     logits_t = h^{L-1}_t decoder.weight^T + decoder.bias   [V]  (h^{L-1}_t ⊙ its mask with output dropout, in training)
///
/// All parameters live in one flat buffer (`parameters`, laid out by `layout` under PyTorch's names) and their
/// gradients in another of the same layout (`gradients`). The model owns no per-call state: a window's activations
/// live in a `SequenceWorkspace`, a stream's state in an `InferenceState`, so one model can serve many of either.
public final class LanguageModel: @unchecked Sendable {
    /// The hyperparameters.
    public let config: ModelConfig
    /// Where each named tensor sits in `parameters` and `gradients`.
    public let layout: ParameterLayout
    /// Every parameter, in `layout` order.
    public let parameters: FloatBuffer
    /// The loss gradient of every parameter, in `layout` order; `backward` adds to it.
    public let gradients: FloatBuffer
    /// How the weight matrices are stored for inference. A reduced model's `parameters` hold the reduced values
    /// (`WeightPrecision`), and its steps read the packed reduced weights; only an fp32 model is trained.
    public let weightPrecision: WeightPrecision
    /// The weights packed for inference, made on the first step; nil until then.
    private let packed = Mutex<InferenceWeights?>(nil)

    /// [V, E]
    let embedding: Matrix
    let dEmbedding: Matrix
    /// [V, H]
    let decoderWeight: Matrix
    let dDecoderWeight: Matrix
    /// [V]
    let decoderBias: UnsafeMutablePointer<Float>
    let dDecoderBias: UnsafeMutablePointer<Float>
    let layers: [LSTMLayer]

    /// A model initialised as PyTorch initialises `nn.Embedding` (N(0, 1)), `nn.LSTM` (U(±1/√H)) and `nn.Linear`
    /// (U(±1/√H) for weight and bias), drawing from a generator seeded with `seed`.
    public convenience init(config: ModelConfig, seed: UInt64) throws(ModelError) {
        try self.init(config: config)
        var rng = RandomSource(seed: seed)
        let bound = 1 / Float(config.hiddenSize).squareRoot()
        for spec in layout.tensors {
            let values = parameters.base + spec.offset
            for i in 0..<spec.count {
                values[i] = spec.name == "embedding.weight" ? rng.nextNormal() : rng.nextUniform(bound: bound)
            }
        }
    }

    /// A model whose parameters are `values`, in `layout` order; with a reduced `precision`, values that
    /// precision stores exactly (`WeightPrecision.reduced`), as a reduced model file's are.
    public convenience init(config: ModelConfig, parameters values: [Float], precision: WeightPrecision = .fp32) throws(ModelError) {
        try self.init(config: config, precision: precision)
        guard values.count == layout.count else {
            throw .parameterMismatch("expected \(layout.count) values for this configuration, got \(values.count)")
        }
        values.withUnsafeBufferPointer { parameters.base.update(from: $0.baseAddress!, count: values.count) }
    }

    private convenience init(config: ModelConfig, precision: WeightPrecision = .fp32) throws(ModelError) {
        try config.validate()
        self.init(validated: config, sharing: nil, precision: precision)
    }

    /// A model of an already validated `config` that reads `shared` (fresh zeros when nil) as its parameters and
    /// accumulates into gradients of its own.
    private init(validated config: ModelConfig, sharing shared: FloatBuffer?, precision: WeightPrecision) {
        self.config = config
        weightPrecision = precision
        layout = ParameterLayout(config: config)
        parameters = shared ?? FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        let (layout, parameters, gradients) = (layout, parameters, gradients)
        func views(_ name: String) -> (Matrix, Matrix) {
            let spec = layout.tensor(named: name)!
            let rows = spec.shape[0], cols = spec.shape.count > 1 ? spec.shape[1] : 1
            return (parameters.matrix(rows: rows, cols: cols, offset: spec.offset),
                    gradients.matrix(rows: rows, cols: cols, offset: spec.offset))
        }
        (embedding, dEmbedding) = views("embedding.weight")
        (decoderWeight, dDecoderWeight) = views("decoder.weight")
        let bias = views("decoder.bias")
        (decoderBias, dDecoderBias) = (bias.0.base, bias.1.base)
        layers = (0..<config.layers).map { k in
            let (wih, dwih) = views("lstm.weight_ih_l\(k)")
            let (whh, dwhh) = views("lstm.weight_hh_l\(k)")
            let (bih, dbih) = views("lstm.bias_ih_l\(k)")
            let (bhh, dbhh) = views("lstm.bias_hh_l\(k)")
            return LSTMLayer(inputSize: config.inputSize(ofLayer: k), hiddenSize: config.hiddenSize,
                             weightIH: wih, weightHH: whh, biasIH: bih.base, biasHH: bhh.base,
                             dWeightIH: dwih, dWeightHH: dwhh, dBiasIH: dbih.base, dBiasHH: dbhh.base)
        }
    }

    /// A model that reads this one's parameters and accumulates into gradients of its own, so that several windows
    /// can be differentiated at once (`DataParallelPass`).
    func replica() -> LanguageModel {
        LanguageModel(validated: config, sharing: parameters, precision: weightPrecision)
    }

    /// Number of parameters.
    public var parameterCount: Int { layout.count }

    /// The values of the tensor called `name` (a view into `parameters`), or nil if there is none.
    public func parameter(named name: String) -> UnsafeMutableBufferPointer<Float>? {
        layout.tensor(named: name).map { UnsafeMutableBufferPointer(start: parameters.base + $0.offset, count: $0.count) }
    }

    /// Sets every gradient to zero, before accumulating a new batch.
    public func zeroGradients() { gradients.zero() }

    /// The weight bytes one inference step reads (the packed matrices in `weightPrecision`, and a token table row):
    /// what a step at batch 1 must wait for at the least.
    public var inferenceBytesPerStep: Int { inferenceWeights.bytesPerStep }

    /// The weights packed for inference with this machine's `MatVecKernel`, from the parameters as they are at the
    /// first call: a model is stepped only once its parameters are final (training never steps).
    var inferenceWeights: InferenceWeights {
        packed.withLock { packed in
            if let packed { return packed }
            let weights = InferenceWeights(model: self, precision: weightPrecision, kernel: .current)
            packed = weights
            return weights
        }
    }
}
