import Testing
@testable import CharModel

/// A small problem: the model, a window of tokens and a random initial state, plus the same in reference form.
/// The default sizes are tiny; `ProblemShape.wide` are past one 16-wide vector and one 16-column kernel panel.
///
/// Layer 0 has two input paths, and the workspace picks one by the sizes: the token table when 2V <= S*B, else
/// gathered embeddings (`SequenceWorkspace.projectsTokens`). A problem says which it expects, its sizes take it
/// there, and `run` checks that the workspace did.
private struct Problem {
    let config: ModelConfig
    let batch: Int, steps: Int
    let model: LanguageModel
    let inputs: [Int32], targets: [Int32]
    let state: LSTMState
    var masks: [[Float]] = []
    /// With weight drop: one [4H, H] mask per layer on its W_hh, each value 0 or 2 (p = 0.5).
    var weightMasks: [[Float]] = []

    /// Whether layer 0 should read the tokens through the token table (else gathered embeddings).
    let projectsTokens: Bool

    /// Without `vocabularySize`, V is 3 for the token table and 5 for gathered embeddings, which puts the default
    /// 2x3 window (S*B = 6) on that path.
    init(vocabularySize: Int? = nil, embeddingSize e: Int = 3, hiddenSize h: Int = 4, layers: Int, batch: Int = 2, steps: Int = 3,
         withMasks: Bool, weightDrop: Bool = false, seed: UInt64, projectsTokens: Bool = false) throws {
        (self.batch, self.steps) = (batch, steps)
        self.projectsTokens = projectsTokens
        let v = vocabularySize ?? (projectsTokens ? 3 : 5)
        config = ModelConfig(vocabularySize: v, embeddingSize: e, hiddenSize: h, layers: layers, dropout: withMasks ? 0.5 : 0,
                             outputDropout: withMasks ? 0.5 : 0, weightDrop: weightDrop ? 0.5 : 0)
        model = try LanguageModel(config: config, seed: seed)
        var rng = RandomSource(seed: seed + 1)
        let n = batch * steps
        inputs = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
        targets = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
        var state = LSTMState(layers: layers, batchSize: batch, hiddenSize: h)
        for i in state.h.indices { state.h[i] = rng.nextUniform(bound: 0.5); state.c[i] = rng.nextUniform(bound: 0.5) }
        self.state = state
        if withMasks {  // between the layers and on the top layer's output
            masks = (0..<layers).map { _ in (0..<n * h).map { _ in rng.nextUnitFloat() < 0.5 ? 0 : 2 } }
        }
        if weightDrop { weightMasks = (0..<layers).map { _ in (0..<4 * h * h).map { _ in rng.nextUnitFloat() < 0.5 ? 0 : 2 } } }
    }

    init(_ shape: ProblemShape, seed: UInt64) throws {
        try self.init(vocabularySize: shape.v, embeddingSize: shape.e, hiddenSize: shape.h, layers: shape.layers, batch: shape.batch,
                      steps: shape.steps, withMasks: shape.withMasks, weightDrop: shape.weightDrop, seed: seed,
                      projectsTokens: shape.projectsTokens)
    }

    var referenceInputs: [[Int]] { (0..<batch).map { b in (0..<steps).map { Int(inputs[b * steps + $0]) } } }
    var referenceTargets: [[Int]] { (0..<batch).map { b in (0..<steps).map { Int(targets[b * steps + $0]) } } }
    /// [L][B][H] from a flat [L, B, H] array.
    func nested(_ flat: [Float]) -> [[[Double]]] {
        let h = config.hiddenSize
        return (0..<config.layers).map { k in (0..<batch).map { b in (0..<h).map { Double(flat[(k * batch + b) * h + $0]) } } }
    }
    /// [L][S][B][H] from the time-major masks.
    var referenceMasks: [[[[Double]]]]? {
        let h = config.hiddenSize
        return masks.isEmpty ? nil : masks.map { m in (0..<steps).map { t in (0..<batch).map { b in (0..<h).map { Double(m[(t * batch + b) * h + $0]) } } } }
    }

    func referenceModel(parameters: [Float]) -> ReferenceModel {
        ReferenceModel(v: config.vocabularySize, e: config.embeddingSize, h: config.hiddenSize, layers: config.layers, flat: parameters)
    }

    func reference(parameters: [Float], h0: [[[Double]]]? = nil, c0: [[[Double]]]? = nil) -> ReferenceModel.Output {
        reference(referenceModel(parameters: parameters), h0: h0, c0: c0)
    }

    func reference(_ model: ReferenceModel, h0: [[[Double]]]? = nil, c0: [[[Double]]]? = nil) -> ReferenceModel.Output {
        droppingWeights(model).forward(inputs: referenceInputs, targets: referenceTargets, h0: h0 ?? nested(state.h), c0: c0 ?? nested(state.c),
                      masks: referenceMasks)
    }

    /// The reference's backward at the model's parameters and initial state. With weight drop, the gradient of
    /// W_hh (not of W_hh ⊙ M): the gradient of W_hh ⊙ M times M.
    func referenceGradients(_ model: ReferenceModel) -> ReferenceModel.Gradients {
        var gradients = droppingWeights(model).gradients(inputs: referenceInputs, targets: referenceTargets, h0: nested(state.h),
                                                         c0: nested(state.c), masks: referenceMasks)
        for (k, mask) in weightMasks.enumerated() {
            let offset = self.model.layout.tensor(named: "lstm.weight_hh_l\(k)")!.offset
            for (i, m) in mask.enumerated() { gradients.flat[offset + i] *= Double(m) }
        }
        return gradients
    }

    /// `model` with each W_hh replaced by W_hh ⊙ M, as the model runs it under weight drop: the reference's loss
    /// as a function of the undropped weights is its loss at the dropped ones.
    private func droppingWeights(_ model: ReferenceModel) -> ReferenceModel {
        var dropped = model
        for (k, mask) in weightMasks.enumerated() {
            let name = "lstm.weight_hh_l\(k)"
            dropped.tensors[name] = zip(model.tensors[name]!, mask).map { $0 * Double($1) }
        }
        return dropped
    }

    /// Runs the model's forward and backward with its products in `precision` and its per-step ones on `stepKernel`;
    /// returns the loss, the final state, the workspace and the logits.
    func run(precision: TrainingPrecision = .fp32, stepKernel: StepKernel = .current)
        throws -> (loss: Float, state: LSTMState, workspace: SequenceWorkspace, logits: [Float])
    {
        let ws = try SequenceWorkspace(config: config, batchSize: batch, steps: steps, precision: precision, stepKernel: stepKernel)
        try #require(ws.projectsTokens == projectsTokens,
                     "V=\(config.vocabularySize) B=\(batch) S=\(steps) should take \(projectsTokens ? "the token table" : "gathered embeddings")")
        let dropout = masks.isEmpty && weightMasks.isEmpty ? nil : DropoutMasks(config: config, batchSize: batch, steps: steps)
        for (k, m) in masks.enumerated() { try dropout?.set(boundary: k, values: m) }
        for (k, m) in weightMasks.enumerated() { try dropout?.set(recurrentWeightsOf: k, values: m) }
        var state = self.state
        model.zeroGradients()
        let loss = try model.forward(inputs: inputs, targets: targets, state: &state, workspace: ws, dropout: dropout)
        let logits = Array(ws.logits.buffer)
        try model.backward(workspace: ws)
        return (loss, state, ws, logits)
    }
}

/// A problem's sizes and which paths it takes (internal, not private, as the tests take it as an argument).
struct ProblemShape: Sendable, CustomTestStringConvertible {
    let v: Int, e: Int, h: Int, layers: Int, batch: Int, steps: Int
    let withMasks: Bool, projectsTokens: Bool
    /// Whether W_hh runs under a weight-drop mask.
    var weightDrop = false

    var testDescription: String {
        "V=\(v) E=\(e) H=\(h) L=\(layers) B=\(batch) S=\(steps)\(withMasks ? " masks" : "")\(projectsTokens ? " token table" : " gathered")\(weightDrop ? " weight drop" : "")"
    }

    /// The default tiny sizes, three layers, with masks.
    static let tiny = ProblemShape(v: 5, e: 3, h: 4, layers: 3, batch: 2, steps: 3, withMasks: true, projectsTokens: false)

    /// Sizes past the model's 16-wide vectors and its step kernels' 16-column panels, none a multiple of 16, so the
    /// cell loops run full vectors and a partial one and the per-step products (N = 4H forward, H backward; unfused
    /// on B rounded up to 4 rows, spare rows included, or fused on the B rows in tiles of up to 6) run full panels and
    /// a partial panel. E differs from H, and V from both, so no two of them can be swapped unnoticed. Each size takes both of layer 0's input paths, one with masks and one
    /// without, through V: the token table at 2V <= S*B (20 and 9), gathered embeddings above.
    static let wide: [ProblemShape] = [
        ProblemShape(v: 7, e: 33, h: 20, layers: 2, batch: 5, steps: 4, withMasks: true, projectsTokens: true),
        ProblemShape(v: 11, e: 33, h: 20, layers: 2, batch: 5, steps: 4, withMasks: false, projectsTokens: false),
        ProblemShape(v: 29, e: 20, h: 33, layers: 2, batch: 3, steps: 3, withMasks: true, projectsTokens: false),
        ProblemShape(v: 4, e: 20, h: 33, layers: 2, batch: 3, steps: 3, withMasks: false, projectsTokens: true),
        // Past the step kernels' 64-column slabs (the fused backward's second slab, and its full four panels).
        ProblemShape(v: 9, e: 24, h: 70, layers: 2, batch: 3, steps: 3, withMasks: true, projectsTokens: false),
        // The fused step's row tiles of every height, 1 to 6: B = 1, 2, 12 (6 + 6) and 13 (5 + 4 + 4), with 3 and 5 above.
        ProblemShape(v: 3, e: 20, h: 20, layers: 2, batch: 1, steps: 4, withMasks: false, projectsTokens: false),
        ProblemShape(v: 5, e: 20, h: 20, layers: 2, batch: 2, steps: 4, withMasks: true, projectsTokens: false),
        ProblemShape(v: 23, e: 20, h: 20, layers: 2, batch: 12, steps: 3, withMasks: true, projectsTokens: false),
        ProblemShape(v: 6, e: 17, h: 20, layers: 2, batch: 13, steps: 3, withMasks: true, projectsTokens: true),
        // Weight drop on both of layer 0's input paths, with the other masks and without.
        ProblemShape(v: 7, e: 33, h: 20, layers: 2, batch: 5, steps: 4, withMasks: true, projectsTokens: true, weightDrop: true),
        ProblemShape(v: 29, e: 20, h: 33, layers: 2, batch: 3, steps: 3, withMasks: false, projectsTokens: false, weightDrop: true),
    ]
}

/// max |a - b| / max |b|: the error relative to the tensor's scale (or to `scale` when given, for part of a tensor).
private func relativeError(_ a: [Double], _ b: [Double], scale: Double? = nil) -> Double {
    let scale = max(scale ?? b.map(abs).max() ?? 0, 1e-12)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

@Suite("LanguageModel against a plain Float64 reference")
struct LanguageModelGradientTests {
    /// Arguments: layers, dropout masks (between the layers and on the output), token table, weight drop.
    static let smallProblems = [(1, false, false, false), (2, false, false, false), (3, false, false, false), (1, true, false, false),
                                (2, true, false, false), (3, true, false, false), (1, false, true, false), (3, true, true, false),
                                (1, false, false, true), (3, true, false, true), (2, true, true, true)]

    @Test("forward matches the reference (layers, dropout masks between the layers and on the output, token table, weight drop)",
          arguments: smallProblems)
    func forwardMatchesReference(layers: Int, withMasks: Bool, projectsTokens: Bool, weightDrop: Bool) throws {
        let p = try Problem(layers: layers, withMasks: withMasks, weightDrop: weightDrop, seed: 7, projectsTokens: projectsTokens)
        let (loss, state, _, logits) = try p.run()
        let ref = p.reference(parameters: p.model.parameters.array)
        #expect(abs(Double(loss) - ref.loss) / ref.loss < 1e-5)
        for b in 0..<p.batch {
            for t in 0..<p.steps {
                let v = p.config.vocabularySize
                let row = Array(logits[(t * p.batch + b) * v..<(t * p.batch + b + 1) * v]).map(Double.init)
                #expect(relativeError(row, ref.logits[b][t]) < 1e-5)
            }
        }
        #expect(relativeError(state.h.map(Double.init), ref.finalH.flatMap { $0.flatMap { $0 } }) < 1e-5)
        #expect(relativeError(state.c.map(Double.init), ref.finalC.flatMap { $0.flatMap { $0 } }) < 1e-5)
    }

    @Test("every parameter's gradient matches central differences of the reference", arguments: smallProblems)
    func parameterGradients(layers: Int, withMasks: Bool, projectsTokens: Bool, weightDrop: Bool) throws {
        let p = try Problem(layers: layers, withMasks: withMasks, weightDrop: weightDrop, seed: 11, projectsTokens: projectsTokens)
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
        // A dropped weight takes no part in the window: its gradient is exactly 0.
        for (k, mask) in p.weightMasks.enumerated() {
            let offset = try #require(p.model.layout.tensor(named: "lstm.weight_hh_l\(k)")).offset
            #expect(mask.indices.filter { mask[$0] == 0 }.allSatisfy { analytic[offset + $0] == 0 }, "dropped weights of layer \(k)")
            #expect(mask.contains(0) && mask.contains(2))
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
                let h = p.config.hiddenSize
                let (k, b, j) = (i / (p.batch * h), (i / h) % p.batch, i % h)
                plus[k][b][j] += eps
                minus[k][b][j] -= eps
                let lp = which == "h" ? p.reference(parameters: params, h0: plus) : p.reference(parameters: params, c0: plus)
                let lm = which == "h" ? p.reference(parameters: params, h0: minus) : p.reference(parameters: params, c0: minus)
                numeric.append((lp.loss - lm.loss) / (2 * eps))
            }
            #expect(relativeError(analytic.map(Double.init), numeric) < 1e-3, "d\(which)0 with L=\(layers)")
        }
    }

    @Test("the reference's own backward matches central differences of its forward",
          arguments: [ProblemShape.tiny] + ProblemShape.wide)
    func referenceBackward(shape: ProblemShape) throws {
        let p = try Problem(shape, seed: 17)
        let reference = p.referenceModel(parameters: p.model.parameters.array)
        let analytic = p.referenceGradients(reference)
        // All in Float64, so far tighter than the model's checks. The error is the loss's rounding (~1e-15) over 2 eps,
        // relative to the tensor's largest gradient (down to 6e-5 in the tiny shape's bottom layer): with eps = 1e-4
        // at most 4e-8 measured, where truncation (~eps²) is not yet visible; a wrong term would be off by O(1).
        let eps = 1e-4
        for spec in p.model.layout.tensors {
            // Every entry of a small tensor (so all of the tiny shape's); about 24 of a large one, the last included: the
            // reference's loops do not depend on the sizes, so a sample suffices at the wide shapes.
            let indices = Array(stride(from: 0, to: spec.count, by: max(1, spec.count / 24))) + [spec.count - 1]
            var numeric: [Double] = []
            for i in indices {
                var plus = reference, minus = reference
                plus.tensors[spec.name]![i] += eps
                minus.tensors[spec.name]![i] -= eps
                numeric.append((p.reference(plus).loss - p.reference(minus).loss) / (2 * eps))
            }
            let tensor = Array(analytic.flat[spec.offset..<spec.offset + spec.count])
            #expect(relativeError(indices.map { tensor[$0] }, numeric, scale: tensor.map(abs).max()) < 1e-6,
                    "\(spec.name) at \(shape)")
        }
        for (which, gradient) in [("h", analytic.h0), ("c", analytic.c0)] {
            var numeric: [Double] = []
            for k in 0..<p.config.layers {
                for b in 0..<p.batch {
                    for j in 0..<p.config.hiddenSize {
                        var plus = p.nested(which == "h" ? p.state.h : p.state.c), minus = plus
                        plus[k][b][j] += eps
                        minus[k][b][j] -= eps
                        let lp = which == "h" ? p.reference(reference, h0: plus) : p.reference(reference, c0: plus)
                        let lm = which == "h" ? p.reference(reference, h0: minus) : p.reference(reference, c0: minus)
                        numeric.append((lp.loss - lm.loss) / (2 * eps))
                    }
                }
            }
            #expect(relativeError(gradient.flatMap { $0.flatMap { $0 } }, numeric) < 1e-6, "d\(which)0 at \(shape)")
        }
    }

    /// On every step kernel this CPU runs: on AVX-512 the product and the cell are one kernel (`LSTMLayerCache.fusesCell`),
    /// on the others they run apart.
    @Test("past one vector and one kernel panel: forward, every gradient and the initial state's gradient match the reference",
          arguments: ProblemShape.wide, PackedMatrixTests.runnable)
    func wideMatchesReference(shape: ProblemShape, kernel: StepKernel) throws {
        let p = try Problem(shape, seed: 19)
        let (loss, state, ws, logits) = try p.run(stepKernel: kernel)
        #expect(ws.caches[0].fusesCell == (kernel == .avx512))
        let reference = p.referenceModel(parameters: p.model.parameters.array)
        let ref = p.reference(reference)
        // The forward keeps the small shapes' 1e-5. The gradients are compared with the reference's own backward
        // rather than with central differences, which took the small shapes' 1e-3 and would take ~2e4 reference
        // forwards here, so they get 1e-5 too: Float32 sums of up to 4H = 132 terms, through 2 layers and 4 steps
        // back; over 40 seeds, with OpenBLAS's SkylakeX, Haswell and Prescott kernels, at most 3e-7 (forward) and
        // 9e-7 (gradients) measured on an AVX-512 machine.
        let tolerance = 1e-5
        #expect(abs(Double(loss) - ref.loss) / ref.loss < tolerance, "loss at \(shape)")
        let v = p.config.vocabularySize
        for b in 0..<p.batch {
            for t in 0..<p.steps {
                let row = Array(logits[(t * p.batch + b) * v..<(t * p.batch + b + 1) * v]).map(Double.init)
                #expect(relativeError(row, ref.logits[b][t]) < tolerance, "logits of stream \(b) at step \(t) at \(shape)")
            }
        }
        #expect(relativeError(state.h.map(Double.init), ref.finalH.flatMap { $0.flatMap { $0 } }) < tolerance, "final h at \(shape)")
        #expect(relativeError(state.c.map(Double.init), ref.finalC.flatMap { $0.flatMap { $0 } }) < tolerance, "final c at \(shape)")

        let expected = p.referenceGradients(reference)
        let analytic = p.model.gradients.array.map(Double.init)
        for spec in p.model.layout.tensors {
            let range = spec.offset..<spec.offset + spec.count
            #expect(relativeError(Array(analytic[range]), Array(expected.flat[range])) < tolerance, "\(spec.name) at \(shape)")
        }
        #expect(relativeError(ws.initialStateGradient.h.map(Double.init), expected.h0.flatMap { $0.flatMap { $0 } }) < tolerance,
                "dh0 at \(shape)")
        #expect(relativeError(ws.initialStateGradient.c.map(Double.init), expected.c0.flatMap { $0.flatMap { $0 } }) < tolerance,
                "dc0 at \(shape)")
    }

    /// The same checks in bf16. Every product rounds both operands to 8 significant bits (2^-9 relative each), and
    /// the errors add up through the layers and steps; the tolerances are about three times the largest error
    /// measured over 20 seeds of each of these shapes: 7.4e-3 (forward) and 9.1e-3 (gradients).
    @Test("in bf16, forward and every gradient match the reference within bf16's tolerance",
          .enabled(if: runsBF16), arguments: ProblemShape.wide)
    func bf16MatchesReference(shape: ProblemShape) throws {
        let (forwardTolerance, gradientTolerance) = (2e-2, 3e-2)
        let p = try Problem(shape, seed: 19)
        let (loss, state, ws, logits) = try p.run(precision: .bf16)
        let reference = p.referenceModel(parameters: p.model.parameters.array)
        let ref = p.reference(reference)
        var worst = (forward: abs(Double(loss) - ref.loss) / ref.loss, gradient: 0.0)
        let v = p.config.vocabularySize
        for b in 0..<p.batch {
            for t in 0..<p.steps {
                let row = Array(logits[(t * p.batch + b) * v..<(t * p.batch + b + 1) * v]).map(Double.init)
                worst.forward = max(worst.forward, relativeError(row, ref.logits[b][t]))
            }
        }
        worst.forward = max(worst.forward, relativeError(state.h.map(Double.init), ref.finalH.flatMap { $0.flatMap { $0 } }),
                            relativeError(state.c.map(Double.init), ref.finalC.flatMap { $0.flatMap { $0 } }))
        let expected = p.referenceGradients(reference)
        let analytic = p.model.gradients.array.map(Double.init)
        for spec in p.model.layout.tensors {
            let range = spec.offset..<spec.offset + spec.count
            worst.gradient = max(worst.gradient, relativeError(Array(analytic[range]), Array(expected.flat[range])))
        }
        worst.gradient = max(worst.gradient,
                             relativeError(ws.initialStateGradient.h.map(Double.init), expected.h0.flatMap { $0.flatMap { $0 } }),
                             relativeError(ws.initialStateGradient.c.map(Double.init), expected.c0.flatMap { $0.flatMap { $0 } }))
        #expect(worst.forward < forwardTolerance, "forward at \(shape): \(worst.forward)")
        #expect(worst.gradient < gradientTolerance, "gradients at \(shape): \(worst.gradient)")
        // And not within fp32's: the products did run in bf16.
        #expect(worst.forward > 1e-5)
    }
}
