import CharModel

/// Draws graphemes one at a time from a model, carrying its state: temperature, top-k and top-p (nucleus).
///
/// Per draw, over the V logits z left by the last step:
///
///     T = 0:  the argmax (the lowest id among ties)
///     T > 0:  p_v ∝ exp((z_v - max z) · (1/T)) (`Softmax`), restricted to the k most likely ids and then to the
///             smallest prefix (by probability, ties by id, `TopK`) whose mass reaches p; one uniform draw picks from
///             what is left
///
/// All buffers are made once; a draw and a step allocate nothing.
public final class Sampler {
    /// The model it draws from (shared, read-only).
    public let model: LanguageModel
    /// The options it was made with.
    public let options: SamplingOptions
    /// The stream's state; its logits are the distribution of the next draw.
    public let state: InferenceState
    private var rng: RandomSource
    /// [V] probabilities (unnormalised): Float32 exps, held in Float64.
    private var weights: [Double]
    /// [V] ids; for top-k and top-p, the most likely end up at the end, most likely last (`TopK.select`).
    private var order: [Int32]

    /// A sampler over `model` from the zero state.
    public init(model: LanguageModel, options: SamplingOptions) throws(SamplingError) {
        try options.validate()
        self.model = model
        self.options = options
        state = model.makeInferenceState()
        rng = RandomSource(seed: options.seed)
        weights = Array(repeating: 0, count: model.config.vocabularySize)
        order = (0..<Int32(model.config.vocabularySize)).map { $0 }
    }

    /// Feeds ids (the prime text) to warm the state up; the next draw continues after them.
    public func feed(_ ids: [Int32]) throws(ModelError) {
        for id in ids { try model.step(token: id, state: state) }
    }

    /// Draws the next id from the current distribution and feeds it to the model.
    /// Before anything is fed the logits are all zero, so the first draw is uniform over the vocabulary.
    public func next() -> Int32 {
        let id = draw(from: state.logits)
        // The id was drawn from this model's own vocabulary, so the step cannot reject it.
        try! model.step(token: id, state: state)
        return id
    }

    /// Draws an id from `logits` under the sampler's options, advancing its generator.
    public func draw(from logits: UnsafeBufferPointer<Float>) -> Int32 {
        let v = logits.count
        if options.temperature == 0 { return Int32(TopK.best(among: 0..<v) { ranksAbove($0, $1, by: logits) }!) }
        _ = Softmax.exponentiate(logits, scale: 1 / options.temperature, into: &weights)
        guard options.topK != nil || options.topP != nil else {
            return pick(count: v) { Int32($0) }
        }
        let limit = min(options.topK ?? v, v)
        weights.withUnsafeBufferPointer { w in
            order.withUnsafeMutableBufferPointer { order in
                TopK.select(limit, in: order) { ranksAbove(Int($0), Int($1), by: w) }
            }
        }
        // The i-th most likely id is order[v - 1 - i]. The nucleus is summed in Float32, the weights' own precision.
        var kept = limit
        if let p = options.topP {
            var total: Float = 0
            for i in 0..<limit { total += Float(weights[Int(order[v - 1 - i])]) }
            var mass: Float = 0
            for i in 0..<limit {
                mass += Float(weights[Int(order[v - 1 - i])])
                if mass >= p * total { kept = i + 1; break }
            }
        }
        return pick(count: kept) { order[v - 1 - $0] }
    }

    /// Draws among `count` candidates, the candidate at position i being `id(i)`.
    @inline(__always)
    private func pick(count: Int, id: (Int) -> Int32) -> Int32 {
        var total: Double = 0
        for i in 0..<count { total += weights[Int(id(i))] }
        let u = rng.nextUnitDouble() * total
        var acc: Double = 0
        for i in 0..<count {
            acc += weights[Int(id(i))]
            if u < acc { return id(i) }
        }
        // Rounding can leave u at the very top; the last candidate with any weight takes it.
        for i in stride(from: count - 1, through: 0, by: -1) where weights[Int(id(i))] > 0 { return id(i) }
        return id(0)
    }
}
