import Foundation
import Testing
@testable import CharModel

/// The per-user decoder change against a Float64 reference: the logits it adds and one learning step.
@Suite struct DecoderDeltaTests {
    let config = ModelConfig(vocabularySize: 7, embeddingSize: 4, hiddenSize: 20, layers: 2)

    /// Deterministic values in [-scale, scale).
    static func values(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var rng = RandomSource(seed: seed)
        return (0..<count).map { _ in Float((rng.nextUnitDouble() * 2 - 1) * scale) }
    }

    @Test("the change adds ΔW h + Δb to several streams' logits to 1e-5, past a vector of 16, touching nothing else")
    func addToRows() {
        // H = 20: one 16-wide block and a tail; 3 streams whose rows are wider than H and V, with a spare row, all NaN.
        let delta = DecoderDelta(config: config, capacity: 1)
        let change = Self.values(delta.values.count, seed: 5)
        delta.values.base.update(from: change, count: change.count)
        let (v, h, m) = (config.vocabularySize, config.hiddenSize, 3)
        let (stride, ld) = (h + 3, v + 2)
        var hidden = [Float](repeating: .nan, count: (m + 1) * stride)
        var logits = [Float](repeating: .nan, count: (m + 1) * ld)
        let top = Self.values(m * h, seed: 6), start = Self.values(m * v, seed: 7)
        for r in 0..<m {
            for k in 0..<h { hidden[r * stride + k] = top[r * h + k] }
            for j in 0..<v { logits[r * ld + j] = start[r * v + j] }
        }
        hidden.withUnsafeBufferPointer { hidden in
            logits.withUnsafeMutableBufferPointer { logits in
                delta.add(rows: m, hidden: hidden.baseAddress!, stride: stride, to: logits.baseAddress!, ldLogits: ld)
            }
        }
        for r in 0...m {
            for j in 0..<ld {
                guard r < m && j < v else {
                    #expect(logits[r * ld + j].isNaN, "spare [\(r),\(j)] written")
                    continue
                }
                var expected = Double(start[r * v + j]) + Double(change[v * h + j])
                for k in 0..<h { expected += Double(change[j * h + k]) * Double(top[r * h + k]) }
                #expect(abs(Double(logits[r * ld + j]) - expected) <= 1e-5 * max(1, abs(expected)), "[\(r),\(j)]")
            }
        }
    }

    @Test("a step with the change gives (W + ΔW) h + b + Δb, and refreshing the logits gives the same")
    func stepAddsTheChange() throws {
        let model = try LanguageModel(config: config, seed: 3)
        let delta = DecoderDelta(config: config, capacity: 4)
        let change = Self.values(delta.values.count, seed: 11, scale: 0.5)
        delta.values.base.update(from: change, count: change.count)
        let plain = model.makeInferenceState(), changed = model.makeInferenceState()
        for token: Int32 in [1, 4, 2] {
            try model.step(token: token, state: plain)
            try model.step(token: token, state: changed, delta: delta)
        }
        let (v, h) = (config.vocabularySize, config.hiddenSize)
        let top = Array(plain.hidden.suffix(h))
        #expect(Array(changed.hidden) == Array(plain.hidden), "the change touches only the logits")
        for j in 0..<v {
            var expected = Double(plain.logits[j]) + Double(change[v * h + j])
            for k in 0..<h { expected += Double(change[j * h + k]) * Double(top[k]) }
            #expect(abs(Double(changed.logits[j]) - expected) < 1e-5)
        }
        let refreshed = model.makeInferenceState()
        refreshed.copy(from: changed)
        try model.refreshLogits(of: refreshed, delta: delta)
        #expect(Array(refreshed.logits) == Array(changed.logits))
        try model.refreshLogits(of: refreshed, delta: nil)
        #expect(Array(refreshed.logits) == Array(plain.logits))
    }

    @Test("one learning step matches the Float64 gradient of the mean cross-entropy, with decay")
    func learnMatchesTheReference() throws {
        let (v, h, n) = (config.vocabularySize, config.hiddenSize, 3)
        let delta = DecoderDelta(config: config, capacity: n)
        let start = Self.values(delta.values.count, seed: 5, scale: 0.3)
        delta.values.base.update(from: start, count: start.count)
        var hidden = Self.values(n * h, seed: 6)
        var logits = Self.values(n * v, seed: 7, scale: 3)
        let targets: [Int32] = [2, 6, 2]
        let (rate, decay): (Float, Float) = (0.4, 0.1)

        // Reference: dz_t = (softmax(z_t) - onehot(y_t)) / n; ΔW ← (1 - decay) ΔW - rate Σ dz_t h_tᵀ; Δb likewise.
        var expected = start.map { Double($0) * Double(1 - decay) }
        var loss = 0.0
        for t in 0..<n {
            let z = (0..<v).map { Double(logits[t * v + $0]) }
            let m = z.max()!
            let lse = m + log(z.map { exp($0 - m) }.reduce(0, +))
            loss += (lse - z[Int(targets[t])]) / Double(n)
            for j in 0..<v {
                let dz = (exp(z[j] - lse) - (j == Int(targets[t]) ? 1 : 0)) / Double(n)
                for k in 0..<h { expected[j * h + k] -= Double(rate) * dz * Double(hidden[t * h + k]) }
                expected[v * h + j] -= Double(rate) * dz
            }
        }
        let reported = hidden.withUnsafeMutableBufferPointer { hp in
            logits.withUnsafeMutableBufferPointer { lp in
                delta.learn(hidden: Matrix(hp.baseAddress!, rows: n, cols: h), logits: Matrix(lp.baseAddress!, rows: n, cols: v),
                            targets: targets, rate: rate, decay: decay)
            }
        }
        #expect(abs(Double(reported) - loss) < 1e-5)
        let worst = zip(Array(delta.values.buffer), expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-6)
    }
}
