import Testing
@testable import CharModel

/// A tiny problem: the model, a window of tokens and a random initial state, plus the same in reference form.
private struct Problem {
    let config: ModelConfig
    let batch = 2, steps = 3
    let model: LanguageModel
    let inputs: [Int32], targets: [Int32]
    let state: LSTMState
    var masks: [[Float]] = []

    /// Whether layer 0 reads the tokens through the projected vocabulary table (else gathered embeddings).
    var projectsTokens = false

    init(layers: Int, withMasks: Bool, seed: UInt64, projectsTokens: Bool = false) throws {
        self.projectsTokens = projectsTokens
        config = ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: layers, dropout: withMasks ? 0.5 : 0)
        model = try LanguageModel(config: config, seed: seed)
        var rng = RandomSource(seed: seed + 1)
        let n = batch * steps
        inputs = (0..<n).map { _ in Int32(rng.next() % 5) }
        targets = (0..<n).map { _ in Int32(rng.next() % 5) }
        var state = LSTMState(layers: layers, batchSize: batch, hiddenSize: 4)
        for i in state.h.indices { state.h[i] = rng.nextUniform(bound: 0.5); state.c[i] = rng.nextUniform(bound: 0.5) }
        self.state = state
        if withMasks {
            masks = (0..<layers - 1).map { _ in (0..<n * 4).map { _ in rng.nextUnitFloat() < 0.5 ? 0 : 2 } }
        }
    }

    var referenceInputs: [[Int]] { (0..<batch).map { b in (0..<steps).map { Int(inputs[b * steps + $0]) } } }
    var referenceTargets: [[Int]] { (0..<batch).map { b in (0..<steps).map { Int(targets[b * steps + $0]) } } }
    /// [L][B][H] from a flat [L, B, H] array.
    func nested(_ flat: [Float]) -> [[[Double]]] {
        (0..<config.layers).map { k in (0..<batch).map { b in (0..<4).map { Double(flat[(k * batch + b) * 4 + $0]) } } }
    }
    /// [L-1][S][B][H] from the time-major masks.
    var referenceMasks: [[[[Double]]]]? {
        masks.isEmpty ? nil : masks.map { m in (0..<steps).map { t in (0..<batch).map { b in (0..<4).map { Double(m[(t * batch + b) * 4 + $0]) } } } }
    }

    func reference(parameters: [Float], h0: [[[Double]]]? = nil, c0: [[[Double]]]? = nil) -> ReferenceModel.Output {
        ReferenceModel(v: 5, e: 3, h: 4, layers: config.layers, flat: parameters)
            .forward(inputs: referenceInputs, targets: referenceTargets, h0: h0 ?? nested(state.h), c0: c0 ?? nested(state.c),
                     masks: referenceMasks)
    }

    /// Runs the model's forward and backward; returns the loss, the final state, the workspace and the logits.
    func run() throws -> (loss: Float, state: LSTMState, workspace: SequenceWorkspace, logits: [Float]) {
        let ws = try SequenceWorkspace(config: config, batchSize: batch, steps: steps)
        ws.projectsTokens = projectsTokens
        for (k, m) in masks.enumerated() { try ws.setDropoutMask(boundary: k, values: m) }
        var state = self.state
        var rng = RandomSource(seed: 0)
        model.zeroGradients()
        let loss = try model.forward(inputs: inputs, targets: targets, state: &state, workspace: ws,
                                     dropout: masks.isEmpty ? .off : .fixedMasks, rng: &rng)
        let logits = Array(ws.logits.buffer)
        try model.backward(workspace: ws)
        return (loss, state, ws, logits)
    }
}

/// max |a - b| / max |b|: the error relative to the tensor's scale.
private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = max(b.map(abs).max() ?? 0, 1e-12)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

@Suite("LanguageModel against a plain Float64 reference")
struct LanguageModelGradientTests {
    @Test("forward matches the reference (layers, dropout masks, token table)", arguments: [(1, false, false), (2, false, false), (3, false, false), (2, true, false), (3, true, false), (1, false, true), (3, true, true)])
    func forwardMatchesReference(layers: Int, withMasks: Bool, projectsTokens: Bool) throws {
        let p = try Problem(layers: layers, withMasks: withMasks, seed: 7, projectsTokens: projectsTokens)
        let (loss, state, _, logits) = try p.run()
        let ref = p.reference(parameters: p.model.parameters.array)
        #expect(abs(Double(loss) - ref.loss) / ref.loss < 1e-5)
        for b in 0..<p.batch {
            for t in 0..<p.steps {
                let row = Array(logits[(t * p.batch + b) * 5..<(t * p.batch + b + 1) * 5]).map(Double.init)
                #expect(relativeError(row, ref.logits[b][t]) < 1e-5)
            }
        }
        #expect(relativeError(state.h.map(Double.init), ref.finalH.flatMap { $0.flatMap { $0 } }) < 1e-5)
        #expect(relativeError(state.c.map(Double.init), ref.finalC.flatMap { $0.flatMap { $0 } }) < 1e-5)
    }

    @Test("every parameter's gradient matches central differences of the reference",
          arguments: [(1, false, false), (2, false, false), (3, false, false), (2, true, false), (3, true, false), (1, false, true), (3, true, true)])
    func parameterGradients(layers: Int, withMasks: Bool, projectsTokens: Bool) throws {
        let p = try Problem(layers: layers, withMasks: withMasks, seed: 11, projectsTokens: projectsTokens)
        _ = try p.run()
        let analytic = p.model.gradients.array
        let base = p.model.parameters.array
        let eps: Float = 1e-3
        for spec in p.model.layout.tensors {
            var numeric: [Double] = []
            for i in spec.offset..<spec.offset + spec.count {
                var plus = base, minus = base
                plus[i] += eps
                minus[i] -= eps
                let delta = Double(plus[i]) - Double(minus[i])
                numeric.append((p.reference(parameters: plus).loss - p.reference(parameters: minus).loss) / delta)
            }
            let got = analytic[spec.offset..<spec.offset + spec.count].map(Double.init)
            #expect(relativeError(got, numeric) < 1e-3, "\(spec.name) with L=\(layers)")
        }
    }

    @Test("the initial state's gradient matches central differences", arguments: [(1, false), (2, false), (3, false), (2, true)])
    func initialStateGradients(layers: Int, projectsTokens: Bool) throws {
        let p = try Problem(layers: layers, withMasks: layers > 1, seed: 13, projectsTokens: projectsTokens)
        let (_, _, ws, _) = try p.run()
        let params = p.model.parameters.array
        let eps = 1e-4
        for (which, analytic) in [("h", ws.initialStateGradient.h), ("c", ws.initialStateGradient.c)] {
            var numeric: [Double] = []
            for i in 0..<analytic.count {
                var plus = p.nested(which == "h" ? p.state.h : p.state.c), minus = plus
                let (k, b, j) = (i / (p.batch * 4), (i / 4) % p.batch, i % 4)
                plus[k][b][j] += eps
                minus[k][b][j] -= eps
                let lp = which == "h" ? p.reference(parameters: params, h0: plus) : p.reference(parameters: params, c0: plus)
                let lm = which == "h" ? p.reference(parameters: params, h0: minus) : p.reference(parameters: params, c0: minus)
                numeric.append((lp.loss - lm.loss) / (2 * eps))
            }
            #expect(relativeError(analytic.map(Double.init), numeric) < 1e-3, "d\(which)0 with L=\(layers)")
        }
    }
}
