/// The dropout masks for one window, given to `forward` by whoever trains: one per boundary between layers k and
/// k+1 (L-1 of them), and with output dropout (`ModelConfig.outputDropout` > 0) one more between the top layer and
/// the decoder. Each is [S*B, H] time-major (row t*B + b), each value 0 (dropped) or 1/(1-p) (kept and scaled).
/// With weight drop (`ModelConfig.weightDrop` > 0) there is also one [4H, H] mask per layer on W_hh, in the same
/// values, for the whole window.
///
/// Memory: 4 (L-1, or L with output dropout) S B H bytes, and with weight drop 16 L H² more, allocated once per
/// window shape and drawn anew for every window.
public final class DropoutMasks {
    /// B.
    public let batchSize: Int
    /// S.
    public let steps: Int
    /// One [S*B, H] mask per boundary: boundary k multiplies layer k's output, the input of layer k+1 (of the
    /// decoder, for k = L-1).
    public let boundaries: [Matrix]
    /// Each boundary's probability of dropping a unit.
    public let probabilities: [Float]
    /// One [4H, H] mask per layer on its W_hh, with weight drop; empty without.
    public let recurrentWeights: [Matrix]
    /// The probability of dropping each recurrent weight (`ModelConfig.weightDrop`).
    public let weightDrop: Float
    private let storage: FloatBuffer

    /// Masks for windows of `batchSize` x `steps` of a model with `config`, all 1 until drawn or set.
    public init(config: ModelConfig, batchSize: Int, steps: Int) {
        self.batchSize = batchSize
        self.steps = steps
        probabilities = Self.probabilities(config)
        weightDrop = config.weightDrop
        let (n, h) = (batchSize * steps, config.hiddenSize)
        let weightMasks = Self.recurrentWeightMasks(config)
        var carver = BufferCarver(count: probabilities.count * n * h + weightMasks * 4 * h * h)
        boundaries = probabilities.map { _ in carver.take(n, h) }
        recurrentWeights = (0..<weightMasks).map { _ in carver.take(4 * h, h) }
        storage = carver.buffer
        storage.base.update(repeating: 1, count: storage.count)
    }

    /// The mask on layer `k`'s output (for k = L-1, the output mask before the decoder), if it has one.
    func mask(afterLayer k: Int) -> Matrix? { k < boundaries.count ? boundaries[k] : nil }

    /// The dropout probability of every boundary a model with `config` has masks for.
    public static func probabilities(_ config: ModelConfig) -> [Float] {
        Array(repeating: config.dropout, count: max(0, config.layers - 1)) + (config.outputDropout > 0 ? [config.outputDropout] : [])
    }

    /// How many [4H, H] W_hh masks a model with `config` has: one per layer with weight drop, none without.
    static func recurrentWeightMasks(_ config: ModelConfig) -> Int { config.weightDrop > 0 ? config.layers : 0 }

    /// The mask on layer `k`'s W_hh, with weight drop.
    func mask(onRecurrentWeightsOf k: Int) -> Matrix? { k < recurrentWeights.count ? recurrentWeights[k] : nil }

    /// Whether training a model with `config` drops anything.
    public static func drops(_ config: ModelConfig) -> Bool { probabilities(config).contains { $0 > 0 } || config.weightDrop > 0 }

    /// Draws every mask afresh: each unit of boundary k is dropped with probability `probabilities[k]`, in the order
    /// boundary, step, stream, unit; then each weight of layer k's W_hh with probability `weightDrop`, in the order
    /// layer, row, column. A boundary whose probability is 0 keeps its mask and draws nothing, and so does a model
    /// without weight drop: a run without it draws what it drew before weight drop existed.
    public func draw(rng: inout RandomSource) {
        for (mask, p) in zip(boundaries, probabilities) where p > 0 { Self.draw(mask, p: p, rng: &rng) }
        for mask in recurrentWeights { Self.draw(mask, p: weightDrop, rng: &rng) }
    }

    private static func draw(_ mask: Matrix, p: Float, rng: inout RandomSource) {
        let keep = 1 / (1 - p)
        for i in 0..<mask.count { mask.base[i] = rng.nextUnitFloat() < p ? 0 : keep }
    }

    /// Sets the mask of boundary `k` to `values` ([S*B, H], time-major).
    public func set(boundary k: Int, values: [Float]) throws(ModelError) {
        guard k >= 0 && k < boundaries.count else { throw .shapeMismatch("dropout boundary \(k) out of range 0..<\(boundaries.count)") }
        guard values.count == boundaries[k].count else {
            throw .shapeMismatch("dropout mask needs \(boundaries[k].count) values, got \(values.count)")
        }
        values.withUnsafeBufferPointer { boundaries[k].base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Sets the mask on layer `k`'s W_hh to `values` ([4H, H]).
    public func set(recurrentWeightsOf k: Int, values: [Float]) throws(ModelError) {
        guard k >= 0 && k < recurrentWeights.count else {
            throw .shapeMismatch("weight-drop mask of layer \(k) out of range 0..<\(recurrentWeights.count)")
        }
        guard values.count == recurrentWeights[k].count else {
            throw .shapeMismatch("weight-drop mask needs \(recurrentWeights[k].count) values, got \(values.count)")
        }
        values.withUnsafeBufferPointer { recurrentWeights[k].base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Copies the rows of `streams` (of this window's B) into `part`, whose batch is those streams, and the
    /// weight-drop masks whole: every stream runs on the same W_hh ⊙ mask.
    func copy(streams: Range<Int>, into part: DropoutMasks) {
        for (mine, theirs) in zip(recurrentWeights, part.recurrentWeights) { theirs.base.update(from: mine.base, count: mine.count) }
        let h = boundaries.first?.cols ?? 0
        for (mine, theirs) in zip(boundaries, part.boundaries) {
            for t in 0..<steps {
                theirs.row(t * streams.count).update(from: mine.row(t * batchSize + streams.lowerBound), count: streams.count * h)
            }
        }
    }
}
