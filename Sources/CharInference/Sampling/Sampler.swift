#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CharModel

/// Draws graphemes one at a time from a model, carrying its state: temperature, top-k and top-p (nucleus).
///
/// Per draw, over the V logits z left by the last step:
///
///     T = 0:  the argmax (the lowest id among ties)
///     T > 0:  p_v ∝ exp((z_v - max z) / T), restricted to the k most likely ids and then to the smallest prefix
///             (by probability, ties by id) whose mass reaches p; one uniform draw picks from what is left
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
    /// [V] probabilities (unnormalised).
    private var weights: [Float]
    /// [V] ids; for top-k and top-p, the most likely end up at the end, most likely last (`selectMostLikely`).
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
        if options.temperature == 0 { return argmax(logits) }
        var m = -Float.infinity
        for i in 0..<v { m = max(m, logits[i]) }
        let invT = 1 / options.temperature
        for i in 0..<v { weights[i] = expf((logits[i] - m) * invT) }
        guard options.topK != nil || options.topP != nil else {
            return pick(count: v) { Int32($0) }
        }
        let limit = min(options.topK ?? v, v)
        selectMostLikely(limit)
        // The i-th most likely id is order[v - 1 - i].
        var kept = limit
        if let p = options.topP {
            var total: Float = 0
            for i in 0..<limit { total += weights[Int(order[v - 1 - i])] }
            var mass: Float = 0
            for i in 0..<limit {
                mass += weights[Int(order[v - 1 - i])]
                if mass >= p * total { kept = i + 1; break }
            }
        }
        return pick(count: kept) { order[v - 1 - $0] }
    }

    /// Draws among `count` candidates, the candidate at position i being `id(i)`.
    @inline(__always)
    private func pick(count: Int, id: (Int) -> Int32) -> Int32 {
        var total: Double = 0
        for i in 0..<count { total += Double(weights[Int(id(i))]) }
        let u = rng.nextUnitDouble() * total
        var acc: Double = 0
        for i in 0..<count {
            acc += Double(weights[Int(id(i))])
            if u < acc { return id(i) }
        }
        // Rounding can leave u at the very top; the last candidate with any weight takes it.
        for i in stride(from: count - 1, through: 0, by: -1) where weights[Int(id(i))] > 0 { return id(i) }
        return id(0)
    }

    /// Moves the `count` most likely ids (ties: the lower id first) to the end of `order`, most likely last, by
    /// popping a max-heap built in place: O(V + count log V) and, unlike a sort, no scratch allocation.
    private func selectMostLikely(_ count: Int) {
        weights.withUnsafeBufferPointer { w in
            order.withUnsafeMutableBufferPointer { heap in
                let v = heap.count
                func above(_ a: Int32, _ b: Int32) -> Bool { w[Int(a)] != w[Int(b)] ? w[Int(a)] > w[Int(b)] : a < b }
                func siftDown(_ start: Int, _ end: Int) {
                    var i = start
                    while true {
                        var child = 2 * i + 1
                        guard child < end else { return }
                        if child + 1 < end && above(heap[child + 1], heap[child]) { child += 1 }
                        guard above(heap[child], heap[i]) else { return }
                        heap.swapAt(i, child)
                        i = child
                    }
                }
                for i in stride(from: v / 2 - 1, through: 0, by: -1) { siftDown(i, v) }
                for popped in 0..<count {
                    heap.swapAt(0, v - 1 - popped)
                    siftDown(0, v - 1 - popped)
                }
            }
        }
    }

    private func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return Int32(best)
    }
}
