/// The dropout masks for one window, given to `forward` by whoever trains: one per boundary between layers k and
/// k+1 (L-1 of them), and with output dropout (`ModelConfig.outputDropout` > 0) one more between the top layer and
/// the decoder. Each is [S*B, H] time-major (row t*B + b), each value 0 (dropped) or 1/(1-p) (kept and scaled).
///
/// Memory: 4 (L-1, or L with output dropout) S B H bytes, allocated once per window shape and drawn anew for every
/// window.
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
    private let storage: FloatBuffer

    /// Masks for windows of `batchSize` x `steps` of a model with `config`, all 1 until drawn or set.
    public init(config: ModelConfig, batchSize: Int, steps: Int) {
        self.batchSize = batchSize
        self.steps = steps
        probabilities = Self.probabilities(config)
        let (n, h) = (batchSize * steps, config.hiddenSize)
        var carver = BufferCarver(count: probabilities.count * n * h)
        boundaries = probabilities.map { _ in carver.take(n, h) }
        storage = carver.buffer
        storage.base.update(repeating: 1, count: storage.count)
    }

    /// The mask on layer `k`'s output (for k = L-1, the output mask before the decoder), if it has one.
    func mask(afterLayer k: Int) -> Matrix? { k < boundaries.count ? boundaries[k] : nil }

    /// The dropout probability of every boundary a model with `config` has masks for.
    public static func probabilities(_ config: ModelConfig) -> [Float] {
        Array(repeating: config.dropout, count: max(0, config.layers - 1)) + (config.outputDropout > 0 ? [config.outputDropout] : [])
    }

    /// Whether training a model with `config` drops anything.
    public static func drops(_ config: ModelConfig) -> Bool { probabilities(config).contains { $0 > 0 } }

    /// Draws every mask afresh: each unit of boundary k is dropped with probability `probabilities[k]`, in the order
    /// boundary, step, stream, unit. A boundary whose probability is 0 keeps its mask and draws nothing.
    public func draw(rng: inout RandomSource) {
        for (mask, p) in zip(boundaries, probabilities) where p > 0 {
            let keep = 1 / (1 - p)
            for i in 0..<mask.count { mask.base[i] = rng.nextUnitFloat() < p ? 0 : keep }
        }
    }

    /// Sets the mask of boundary `k` to `values` ([S*B, H], time-major).
    public func set(boundary k: Int, values: [Float]) throws(ModelError) {
        guard k >= 0 && k < boundaries.count else { throw .shapeMismatch("dropout boundary \(k) out of range 0..<\(boundaries.count)") }
        guard values.count == boundaries[k].count else {
            throw .shapeMismatch("dropout mask needs \(boundaries[k].count) values, got \(values.count)")
        }
        values.withUnsafeBufferPointer { boundaries[k].base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Copies the rows of `streams` (of this window's B) into `part`, whose batch is those streams.
    func copy(streams: Range<Int>, into part: DropoutMasks) {
        let h = boundaries.first?.cols ?? 0
        for (mine, theirs) in zip(boundaries, part.boundaries) {
            for t in 0..<steps {
                theirs.row(t * streams.count).update(from: mine.row(t * batchSize + streams.lowerBound), count: streams.count * h)
            }
        }
    }
}
