/// Everything a forward and backward over one window of B streams x S steps needs, allocated once and reused, so the
/// training loop allocates nothing per step. Sequence matrices are time-major: row t*B + b is stream b at step t.
public final class SequenceWorkspace {
    /// B.
    public let batchSize: Int
    /// S.
    public let steps: Int
    /// The model configuration this workspace was shaped for.
    public let config: ModelConfig
    /// Runs the window's matrix products in the workspace's precision.
    let products: MatrixProducts
    let caches: [LSTMLayerCache]
    private let storage: FloatBuffer
    /// [S*B, E]: the embedded input tokens (unused when `projectsTokens`).
    let embedded: Matrix
    /// One [S*B, H] per dropout boundary (`DropoutMasks`): the output of layer k after dropout, the input of layer
    /// k+1 (of the decoder, for k = L-1).
    let dropped: [Matrix]
    /// [S*B, V]: the logits of the last forward (dlogits during backward).
    public let logits: Matrix
    /// [S*B]: each row's log-sum-exp, kept for backward.
    let logSumExp: UnsafeMutablePointer<Float>
    /// Two [S*B, max(E, H)] buffers that the gradients flowing down the stack alternate between.
    let gradientBuffers: (FloatBuffer, FloatBuffer)
    /// Layer 0's projected vocabulary (P in forward, G in backward), used when `projectsTokens`.
    let tokenTable: TokenTable
    /// Whether layer 0 reads tokens through `tokenTable` rather than gathered embeddings: when 2V <= S*B, where the
    /// table's products over V rows save work over the S*B-row ones they replace.
    let projectsTokens: Bool
    /// [S*B]: input tokens of the last forward, time-major.
    var inputs: [Int32]
    /// [S*B]: target tokens of the last forward, time-major.
    var targets: [Int32]
    /// Whether the last forward had targets (so a loss to differentiate).
    var hasTargets = false
    /// The dropout masks the last forward applied, if any; backward applies them again.
    var dropout: DropoutMasks?
    /// After `backward`: the loss gradient of the initial state the window started from.
    public private(set) var initialStateGradient: LSTMState

    /// A workspace for windows of `batchSize` streams x `steps` steps of a model with `config`, whose products run
    /// in `precision`, the per-step ones on `stepKernel` (which must suit this CPU: this machine's fastest unless
    /// a test or a measurement compares them).
    public init(
        config: ModelConfig, batchSize: Int, steps: Int, precision: TrainingPrecision = .fp32, stepKernel: StepKernel = .current
    ) throws(ModelError) {
        try config.validate()
        try precision.check()
        guard CPUFeatures.current.isSuperset(of: stepKernel.requirements) else {
            throw .invalidHyperparameter("this CPU cannot run the \(stepKernel.rawValue) step kernel; use StepKernel.current (\(StepKernel.current.rawValue))")
        }
        guard batchSize >= 1 else { throw .invalidHyperparameter("batch size must be at least 1, got \(batchSize)") }
        guard steps >= 1 else { throw .invalidHyperparameter("sequence length must be at least 1, got \(steps)") }
        self.batchSize = batchSize
        self.steps = steps
        self.config = config
        let n = batchSize * steps
        let (e, h, v, l) = (config.embeddingSize, config.hiddenSize, config.vocabularySize, config.layers)
        let products = MatrixProducts(precision: precision)
        self.products = products
        caches = (0..<l).map { _ in LSTMLayerCache(batchSize: batchSize, steps: steps, hiddenSize: h, kernel: stepKernel, products: products,
                                                dropsWeights: config.weightDrop > 0) }
        let boundaries = DropoutMasks.probabilities(config).count
        var carver = BufferCarver(count: n * e + boundaries * n * h + n * v + n + v * 4 * h)
        embedded = carver.take(n, e)
        dropped = (0..<boundaries).map { _ in carver.take(n, h) }
        logits = carver.take(n, v)
        logSumExp = carver.take(n, 1).base
        tokenTable = TokenTable(carver.take(v, 4 * h))
        projectsTokens = 2 * v <= n
        storage = carver.buffer
        gradientBuffers = (FloatBuffer(count: n * max(e, h)), FloatBuffer(count: n * max(e, h)))
        inputs = Array(repeating: 0, count: n)
        targets = Array(repeating: 0, count: n)
        initialStateGradient = LSTMState(layers: l, batchSize: batchSize, hiddenSize: h)
    }

    /// The precision of the window's matrix products.
    public var precision: TrainingPrecision { products.precision }

    /// FLOPs (two per multiply-add) of the matrix products of one forward and backward over a window, as this
    /// workspace runs them. Backward does two products for each of forward's, the input's gradient and the
    /// weight's, so it is 3x forward's:
    ///
    ///     forward = Σ_l 2 S*B 4H (I_l + H)       the layers' input and recurrent products, I_0 = E or 0, I_l = H
    ///             + 2 V E 4H                     layer 0's token table, when `projectsTokens` (then I_0 = 0)
    ///             + 2 S*B H V                    the decoder
    ///
    /// The rest is left out: the cell and the softmax are O(S*B*(H + V)) against the products' O(S*B*H²), and the
    /// optimizer's O(parameters) comes once per window.
    public var productFLOPs: Double {
        let (n, e, h, v) = (Double(batchSize * steps), Double(config.embeddingSize), Double(config.hiddenSize), Double(config.vocabularySize))
        var forward = 2 * n * h * v
        for layer in 0..<config.layers {
            let input = layer > 0 ? h : projectsTokens ? 0 : e
            forward += 2 * n * 4 * h * (input + h)
        }
        if projectsTokens { forward += 2 * v * e * 4 * h }
        return 3 * forward
    }

    /// The logits of stream `b` at step `t` from the last forward.
    public func logits(stream b: Int, step t: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(logits.rows(t * batchSize + b..<t * batchSize + b + 1).buffer)
    }

    func setInitialStateGradient(layer k: Int, dh: Matrix, dc: Matrix) {
        let count = initialStateGradient.layerCount
        for i in 0..<count {
            initialStateGradient.h[k * count + i] = dh.base[i]
            initialStateGradient.c[k * count + i] = dc.base[i]
        }
    }
}

extension Matrix {
    /// The values as a buffer pointer.
    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
}
