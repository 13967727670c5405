import Testing
@testable import CharModel
import Foundation

@Suite("LanguageModel behaviour")
struct LanguageModelBehaviourTests {
    @Test("parameter names, shapes and order follow PyTorch")
    func layoutFollowsPyTorch() throws {
        let layout = ParameterLayout(config: ModelConfig(vocabularySize: 65, embeddingSize: 16, hiddenSize: 32, layers: 2))
        let expected: [(String, [Int])] = [
            ("embedding.weight", [65, 16]),
            ("lstm.weight_ih_l0", [128, 16]), ("lstm.weight_hh_l0", [128, 32]), ("lstm.bias_ih_l0", [128]), ("lstm.bias_hh_l0", [128]),
            ("lstm.weight_ih_l1", [128, 32]), ("lstm.weight_hh_l1", [128, 32]), ("lstm.bias_ih_l1", [128]), ("lstm.bias_hh_l1", [128]),
            ("decoder.weight", [65, 32]), ("decoder.bias", [65]),
        ]
        #expect(layout.tensors.map(\.name) == expected.map(\.0))
        #expect(layout.tensors.map(\.shape) == expected.map(\.1))
        // PyTorch's count for nn.Embedding(65,16) + nn.LSTM(16,32,2) + nn.Linear(32,65).
        #expect(layout.count == 65 * 16 + (4 * 32 * (16 + 32) + 8 * 32) + (4 * 32 * (32 + 32) + 8 * 32) + 65 * 32 + 65)
    }

    @Test("the products' FLOPs count what runs: 3x forward, layer 0 through the token table when 2V <= S*B, one table per part")
    func productFLOPs() throws {
        let config = ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2)
        // B = 2, S = 3: 6 rows < 2V, so layer 0 multiplies embeddings. Forward: layer 0 2*6*16*(3+4) = 1344, layer 1
        // 2*6*16*(4+4) = 1536, decoder 2*6*4*5 = 240.
        let gathered = try SequenceWorkspace(config: config, batchSize: 2, steps: 3)
        #expect(!gathered.projectsTokens)
        #expect(gathered.productFLOPs == 3 * (1344 + 1536 + 240))
        // B = 4, S = 3: 12 rows >= 2V, so the table: layer 0 2*12*16*4 = 1536 and the table 2*5*3*16 = 480, layer 1
        // 2*12*16*8 = 3072, decoder 2*12*4*5 = 480.
        let tabled = try SequenceWorkspace(config: config, batchSize: 4, steps: 3)
        #expect(tabled.projectsTokens)
        #expect(tabled.productFLOPs == 3 * (1536 + 480 + 3072 + 480))
        let model = try LanguageModel(config: config, seed: 1)
        #expect(try DataParallelPass(model: model, batchSize: 4, steps: 3, parts: 1).productFLOPs == tabled.productFLOPs)
        // Two parts of B = 2: each the gathered workspace's work.
        #expect(try DataParallelPass(model: model, batchSize: 4, steps: 3, parts: 2).productFLOPs == 2 * gathered.productFLOPs)
    }

    @Test("initialisation follows PyTorch's rules and is fixed by the seed")
    func initialisation() throws {
        let config = ModelConfig(vocabularySize: 50, embeddingSize: 40, hiddenSize: 64, layers: 2)
        let a = try LanguageModel(config: config, seed: 42)
        let b = try LanguageModel(config: config, seed: 42)
        let c = try LanguageModel(config: config, seed: 43)
        #expect(a.parameters.array == b.parameters.array)
        #expect(a.parameters.array != c.parameters.array)
        let bound: Float = 1 / 8
        for spec in a.layout.tensors where spec.name != "embedding.weight" {
            let values = Array(a.parameter(named: spec.name)!)
            #expect(values.allSatisfy { abs($0) <= bound }, "\(spec.name) within ±1/√H")
            #expect(values.map(abs).max()! > bound * 0.9, "\(spec.name) spans the range")
        }
        let embedding = Array(a.parameter(named: "embedding.weight")!).map(Double.init)
        let mean = embedding.reduce(0, +) / Double(embedding.count)
        let variance = embedding.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(embedding.count)
        // 2000 draws of N(0, 1): the mean's standard error is 0.022, the variance's 0.032.
        #expect(abs(mean) < 0.1)
        #expect(abs(variance - 1) < 0.15)
    }

    @Test("the single-step path gives the sequence path's logits and state", arguments: [1, 2, 3])
    func singleStepMatchesSequence(layers: Int) throws {
        let config = ModelConfig(vocabularySize: 11, embeddingSize: 6, hiddenSize: 9, layers: layers, dropout: 0.3)
        let model = try LanguageModel(config: config, seed: 3)
        let tokens: [Int32] = [1, 4, 0, 10, 7, 7, 2, 9, 5, 3, 8, 6]
        let ws = try SequenceWorkspace(config: config, batchSize: 1, steps: tokens.count)
        var state = LSTMState(layers: layers, batchSize: 1, hiddenSize: 9)
        try model.forward(inputs: tokens, targets: nil, state: &state, workspace: ws)
        let inference = model.makeInferenceState()
        for (t, token) in tokens.enumerated() {
            try model.step(token: token, state: inference)
            let expected = Array(ws.logits(stream: 0, step: t))
            for (x, y) in zip(Array(inference.logits), expected) { #expect(abs(x - y) <= 1e-5 * max(1, abs(y))) }
        }
        for (x, y) in zip(Array(inference.hidden), state.h) { #expect(abs(x - y) <= 1e-5) }
        for (x, y) in zip(Array(inference.cell), state.c) { #expect(abs(x - y) <= 1e-5) }
    }

    @Test("a pass split across threads gives the unsplit loss, state and gradients, under the same dropout masks", arguments: [2, 3])
    func dataParallelMatchesUnsplit(parts: Int) throws {
        var config = ModelConfig(vocabularySize: 13, embeddingSize: 10, hiddenSize: 20, layers: 3)
        config.dropout = 0.3
        config.outputDropout = 0.4
        config.weightDrop = 0.25
        let model = try LanguageModel(config: config, seed: 21)
        let (batch, steps) = (7, 5)
        var rng = RandomSource(seed: 4)
        let inputs = (0..<batch * steps).map { _ in Int32(rng.next() % 13) }
        let targets = (0..<batch * steps).map { _ in Int32(rng.next() % 13) }
        func run(parts: Int) throws -> (loss: Float, state: LSTMState, gradients: [Float], initial: LSTMState) {
            let pass = try DataParallelPass(model: model, batchSize: batch, steps: steps, parts: parts)
            #expect(pass.partCount == parts)
            var state = LSTMState(layers: 3, batchSize: batch, hiddenSize: 20)
            for i in state.h.indices { state.h[i] = Float(i % 11) * 0.05 - 0.25; state.c[i] = Float(i % 7) * 0.1 - 0.3 }
            var rng = RandomSource(seed: 0)
            let dropout = DropoutMasks(config: config, batchSize: batch, steps: steps)
            dropout.draw(rng: &rng)
            model.zeroGradients()
            let loss = try pass.forward(inputs: inputs, targets: targets, state: &state, dropout: dropout)
            try pass.backward()
            return (loss, state, model.gradients.array, pass.initialStateGradient)
        }
        let whole = try run(parts: 1)
        let split = try run(parts: parts)
        func close(_ a: [Float], _ b: [Float]) -> Bool {
            let scale = max(b.map(abs).max()!, 1e-12)
            return zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * scale }
        }
        #expect(abs(split.loss - whole.loss) <= 1e-6 * whole.loss)
        #expect(close(split.state.h, whole.state.h) && close(split.state.c, whole.state.c))
        #expect(close(split.gradients, whole.gradients))
        #expect(close(split.initial.h, whole.initial.h) && close(split.initial.c, whole.initial.c))
        #expect(whole.gradients.contains { $0 != 0 })
    }

    @Test("passes over disjoint shares of the streams (the ranks of an MPI job) add up to the whole window's loss and gradients, each leaving the other rows of the state alone")
    func sharesOfStreamsAddUp() throws {
        var config = ModelConfig(vocabularySize: 11, embeddingSize: 6, hiddenSize: 8, layers: 2)
        config.dropout = 0.2
        let model = try LanguageModel(config: config, seed: 5)
        let (batch, steps) = (6, 4)
        var rng = RandomSource(seed: 9)
        let inputs = (0..<batch * steps).map { _ in Int32(rng.next() % 11) }
        let targets = (0..<batch * steps).map { _ in Int32(rng.next() % 11) }
        let dropout = DropoutMasks(config: config, batchSize: batch, steps: steps)
        dropout.draw(rng: &rng)
        var start = LSTMState(layers: 2, batchSize: batch, hiddenSize: 8)
        for i in start.h.indices { start.h[i] = Float(i % 5) * 0.1 - 0.2; start.c[i] = Float(i % 3) * 0.2 - 0.2 }
        func run(_ streams: Range<Int>?, parts: Int) throws -> (loss: Float, state: LSTMState, gradients: [Float], share: Float) {
            let pass = try DataParallelPass(model: model, batchSize: batch, steps: steps, parts: parts, streams: streams)
            var state = start
            model.zeroGradients()
            let loss = try pass.forward(inputs: inputs, targets: targets, state: &state, dropout: dropout)
            try pass.backward()
            return (loss, state, model.gradients.array, pass.shareOfBatch)
        }
        let whole = try run(nil, parts: 1)
        let first = try run(0..<2, parts: 1), second = try run(2..<6, parts: 2)
        #expect(whole.share == 1 && first.share == Float(2) / 6 && second.share == Float(4) / 6)
        #expect(abs(first.loss + second.loss - whole.loss) <= 1e-6 * whole.loss)
        let scale = whole.gradients.map(abs).max()!
        #expect(zip(zip(first.gradients, second.gradients), whole.gradients).allSatisfy { abs($0.0 + $0.1 - $1) <= 1e-6 * scale })
        // Stream b of layer l is h[(l * B + b) * H ..< (l * B + b + 1) * H]: each share changes its own rows only.
        for layer in 0..<2 {
            for b in 0..<batch {
                let rows = (layer * batch + b) * 8..<(layer * batch + b + 1) * 8
                let (mine, other) = b < 2 ? (first.state, second.state) : (second.state, first.state)
                #expect(Array(other.h[rows]) == Array(start.h[rows]) && Array(other.c[rows]) == Array(start.c[rows]))
                #expect(zip(mine.h[rows], whole.state.h[rows]).allSatisfy { abs($0 - $1) <= 1e-6 })
            }
        }
        #expect(throws: ModelError.invalidHyperparameter("streams 4..<7 are not a non-empty part of a batch of 6")) {
            try DataParallelPass(model: model, batchSize: batch, steps: steps, parts: 1, streams: 4..<7)
        }
    }

    @Test("a split pass refuses bad shapes and tokens with the model's errors")
    func dataParallelErrors() throws {
        let config = ModelConfig(vocabularySize: 5, embeddingSize: 4, hiddenSize: 6, layers: 2)
        let model = try LanguageModel(config: config, seed: 1)
        let pass = try DataParallelPass(model: model, batchSize: 4, steps: 3, parts: 2)
        var state = LSTMState(layers: 2, batchSize: 4, hiddenSize: 6)
        let good = [Int32](repeating: 1, count: 12)
        #expect(throws: ModelError.shapeMismatch("expected 4x3 = 12 input tokens, got 11")) {
            try pass.forward(inputs: Array(good.dropLast()), targets: nil, state: &state)
        }
        #expect(throws: ModelError.tokenOutOfRange(id: 5, vocabularySize: 5)) {
            try pass.forward(inputs: good, targets: good.map { $0 == 1 ? 5 : $0 }, state: &state)
        }
        var wrongState = LSTMState(layers: 2, batchSize: 3, hiddenSize: 6)
        #expect(throws: ModelError.shapeMismatch("state is [2, 3, 6], expected [2, 4, 6]")) {
            try pass.forward(inputs: good, targets: nil, state: &wrongState)
        }
        #expect(throws: ModelError.invalidHyperparameter("batch size must be at least 1, got 0")) {
            try DataParallelPass(model: model, batchSize: 0, steps: 3, parts: 1)
        }
        let loss = try pass.forward(inputs: good, targets: good, state: &state)
        #expect(loss > 0 && loss.isFinite, "a failed forward leaves the pass usable")
    }

    @Test("a tiny model overfits a short text to near-zero loss")
    func overfitsShortText() throws {
        let text = Array("the quick brown fox jumps over the lazy dog. ".unicodeScalars)
        let alphabet = Array(Set(text)).sorted { $0.value < $1.value }
        let ids = text.map { Int32(alphabet.firstIndex(of: $0)!) }
        let config = ModelConfig(vocabularySize: alphabet.count, embeddingSize: 16, hiddenSize: 48, layers: 2)
        let model = try LanguageModel(config: config, seed: 5)
        let steps = ids.count - 1
        let ws = try SequenceWorkspace(config: config, batchSize: 1, steps: steps)
        // Plain momentum SGD, written here so the test depends on nothing but the model.
        var velocity = [Float](repeating: 0, count: model.parameterCount)
        var loss: Float = .infinity
        for _ in 0..<400 {
            var state = LSTMState(layers: 2, batchSize: 1, hiddenSize: 48)
            model.zeroGradients()
            loss = try model.forward(inputs: Array(ids.dropLast()), targets: Array(ids.dropFirst()), state: &state, workspace: ws)
            try model.backward(workspace: ws)
            for i in 0..<model.parameterCount {
                velocity[i] = 0.9 * velocity[i] - 0.5 * model.gradients.base[i]
                model.parameters.base[i] += velocity[i]
            }
        }
        // ln(26) = 3.26 at the start; the text is memorised when the loss is under 0.01 nats per character.
        #expect(loss < 0.01, "loss reached \(loss)")
    }

    @Test("out-of-range hyperparameters are typed errors", arguments: [
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 0), "number of layers must be at least 1, got 0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 0, layers: 1), "hidden size must be at least 1, got 0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 0, hiddenSize: 8, layers: 1), "embedding size must be at least 1, got 0"),
        (ModelConfig(vocabularySize: 0, embeddingSize: 4, hiddenSize: 8, layers: 1), "vocabulary size must be at least 1, got 0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, dropout: 1), "dropout must be in [0, 1), got 1.0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, dropout: -0.1), "dropout must be in [0, 1), got -0.1"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, dropout: .nan), "dropout must be in [0, 1), got nan"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, outputDropout: 1), "output dropout must be in [0, 1), got 1.0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, outputDropout: -0.1), "output dropout must be in [0, 1), got -0.1"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, outputDropout: .nan), "output dropout must be in [0, 1), got nan"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, weightDrop: 1), "weight drop must be in [0, 1), got 1.0"),
        (ModelConfig(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 1, weightDrop: -0.5), "weight drop must be in [0, 1), got -0.5"),
    ])
    func badHyperparameters(config: ModelConfig, message: String) {
        #expect(throws: ModelError.invalidHyperparameter(message)) { try LanguageModel(config: config, seed: 1) }
    }

    @Test("bad shapes and tokens are typed errors")
    func badShapes() throws {
        let config = ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2)
        let model = try LanguageModel(config: config, seed: 1)
        let ws = try SequenceWorkspace(config: config, batchSize: 2, steps: 3)
        var state = LSTMState(layers: 2, batchSize: 2, hiddenSize: 4)
        #expect(throws: ModelError.shapeMismatch("expected 2x3 = 6 input tokens, got 5")) {
            try model.forward(inputs: [0, 1, 2, 3, 4], targets: nil, state: &state, workspace: ws)
        }
        #expect(throws: ModelError.tokenOutOfRange(id: 5, vocabularySize: 5)) {
            try model.forward(inputs: [0, 1, 2, 3, 4, 5], targets: nil, state: &state, workspace: ws)
        }
        var wrongState = LSTMState(layers: 1, batchSize: 2, hiddenSize: 4)
        #expect(throws: ModelError.shapeMismatch("state is [1, 2, 4], expected [2, 2, 4]")) {
            try model.forward(inputs: [0, 1, 2, 3, 4, 0], targets: nil, state: &wrongState, workspace: ws)
        }
        #expect(throws: ModelError.shapeMismatch("backward needs a forward with targets first")) {
            try model.forward(inputs: [0, 1, 2, 3, 4, 0], targets: nil, state: &state, workspace: ws)
            try model.backward(workspace: ws)
        }
        #expect(throws: ModelError.invalidHyperparameter("batch size must be at least 1, got 0")) {
            try SequenceWorkspace(config: config, batchSize: 0, steps: 3)
        }
        #expect(throws: ModelError.tokenOutOfRange(id: -1, vocabularySize: 5)) {
            try model.step(token: -1, state: model.makeInferenceState())
        }
        #expect(throws: ModelError.parameterMismatch("expected \(model.parameterCount) values for this configuration, got 3")) {
            try LanguageModel(config: config, parameters: [1, 2, 3])
        }
    }

    @Test("drawn dropout masks zero about p of the units and scale the rest by 1/(1-p), each boundary with its own p")
    func sampledDropout() throws {
        let config = ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 50, layers: 2, dropout: 0.25, outputDropout: 0.5)
        let masks = DropoutMasks(config: config, batchSize: 4, steps: 50)
        #expect(masks.probabilities == [0.25, 0.5])
        #expect(masks.boundaries.allSatisfy { Set($0.buffer) == [1] }, "undrawn masks keep every unit")
        var rng = RandomSource(seed: 9)
        masks.draw(rng: &rng)
        for (boundary, p) in zip(masks.boundaries, [0.25, 0.5]) {
            let mask = Array(boundary.buffer)
            #expect(Set(mask) == [0, Float(1 / (1 - p))])
            let dropped = Double(mask.filter { $0 == 0 }.count) / Double(mask.count)
            // 10,000 draws: the standard error of the fraction is at most 0.005.
            #expect(abs(dropped - p) < 0.02)
        }
        // Without output dropout there is no mask on the output; with one layer there is none between layers.
        #expect(DropoutMasks.probabilities(ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 3, dropout: 0.1)) == [0.1, 0.1])
        #expect(DropoutMasks.probabilities(ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 1, dropout: 0.1, outputDropout: 0.3)) == [0.3])
        #expect(!DropoutMasks.drops(ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 1, dropout: 0.1)))
        #expect(DropoutMasks.drops(ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 1, outputDropout: 0.3)))
        // A boundary of probability 0 (between layers, with only output dropout) keeps every unit and draws nothing.
        let outputOnly = DropoutMasks(config: ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2, outputDropout: 0.3),
                                      batchSize: 2, steps: 3)
        var (a, b) = (RandomSource(seed: 3), RandomSource(seed: 3))
        outputOnly.draw(rng: &a)
        #expect(Set(outputOnly.boundaries[0].buffer) == [1])
        for _ in 0..<outputOnly.boundaries[1].count { _ = b.nextUnitFloat() }
        #expect(a.next() == b.next(), "only the output mask's units were drawn")
        #expect(outputOnly.recurrentWeights.isEmpty, "no weight-drop masks without weight drop")
    }

    @Test("weight drop draws one [4H, H] mask per layer after the boundaries' masks, zeroing about p of the weights")
    func sampledWeightDrop() throws {
        let config = ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 25, layers: 2, dropout: 0.25, weightDrop: 0.4)
        #expect(DropoutMasks.drops(config))
        #expect(DropoutMasks.drops(ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 1, weightDrop: 0.1)))
        let masks = DropoutMasks(config: config, batchSize: 2, steps: 3)
        #expect(masks.recurrentWeights.map { [$0.rows, $0.cols] } == [[100, 25], [100, 25]])
        var (a, b) = (RandomSource(seed: 5), RandomSource(seed: 5))
        masks.draw(rng: &a)
        for _ in 0..<masks.boundaries[0].count { _ = b.nextUnitFloat() }  // the boundary's units come first
        for mask in masks.recurrentWeights {
            let values = Array(mask.buffer)
            #expect(values == values.map { _ in b.nextUnitFloat() < 0.4 ? 0 : 1 / (1 - Float(0.4)) })
            let dropped = Double(values.filter { $0 == 0 }.count) / Double(values.count)
            #expect(abs(dropped - 0.4) < 0.03)  // 2,500 draws: a standard error of 0.01
        }
        #expect(a.next() == b.next())
        #expect(throws: ModelError.shapeMismatch("weight-drop mask of layer 2 out of range 0..<2")) {
            try masks.set(recurrentWeightsOf: 2, values: [])
        }
        #expect(throws: ModelError.shapeMismatch("weight-drop mask needs 2500 values, got 3")) {
            try masks.set(recurrentWeightsOf: 0, values: [1, 1, 1])
        }
        // A model's masks must carry its weight-drop masks, and only then.
        let model = try LanguageModel(config: config, seed: 1)
        let withoutWeightDrop = DropoutMasks(config: ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 25, layers: 2, dropout: 0.25),
                                             batchSize: 2, steps: 3)
        let ws = try SequenceWorkspace(config: config, batchSize: 2, steps: 3)
        var state = LSTMState(layers: 2, batchSize: 2, hiddenSize: 25)
        #expect(throws: ModelError.shapeMismatch("dropout masks have 0 weight-drop masks, expected 2 of [100, 25]")) {
            try model.forward(inputs: [0, 1, 2, 3, 4, 0], targets: nil, state: &state, workspace: ws, dropout: withoutWeightDrop)
        }
    }

    @Test("output dropout and weight drop are written only when set: a configuration without them reads and writes as before they existed")
    func outputDropoutCoding() throws {
        let old = #"{"vocabularySize":5,"embeddingSize":3,"hiddenSize":4,"layers":2,"dropout":0.25}"#
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(decoded == ModelConfig(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2, dropout: 0.25))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self)
                == #"{"dropout":0.25,"embeddingSize":3,"hiddenSize":4,"layers":2,"vocabularySize":5}"#)
        var with = decoded
        with.outputDropout = 0.5
        let json = String(decoding: try encoder.encode(with), as: UTF8.self)
        #expect(json == #"{"dropout":0.25,"embeddingSize":3,"hiddenSize":4,"layers":2,"outputDropout":0.5,"vocabularySize":5}"#)
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8)) == with)
        with.weightDrop = 0.3
        let weightDropJSON = String(decoding: try encoder.encode(with), as: UTF8.self)
        #expect(weightDropJSON
                == #"{"dropout":0.25,"embeddingSize":3,"hiddenSize":4,"layers":2,"outputDropout":0.5,"vocabularySize":5,"weightDrop":0.3}"#)
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(weightDropJSON.utf8)) == with)
    }

    @Test("layer 0 reads tokens through the token table exactly when 2V <= S*B", arguments: [(1, 1), (2, 3), (3, 3), (5, 4)])
    func tokenTableRule(batch: Int, steps: Int) throws {
        let n = batch * steps
        // The largest V that takes the table, and the smallest that does not (no V takes it at S*B = 1).
        for v in [n / 2, n / 2 + 1] where v >= 1 {
            let config = ModelConfig(vocabularySize: v, embeddingSize: 3, hiddenSize: 4, layers: 1)
            let ws = try SequenceWorkspace(config: config, batchSize: batch, steps: steps)
            #expect(ws.projectsTokens == (2 * v <= n), "V=\(v) B=\(batch) S=\(steps)")
        }
    }

    /// Every step kernel this CPU runs (the AVX-512 one fused with the cell), in every precision it trains in.
    @Test("the per-step products' spare rows never reach the results, whatever they hold, on both of layer 0's paths",
          arguments: [1, 2, 3, 5], [1, 4])
    func spareRowsStayApart(batch: Int, steps: Int) throws {
        for kernel in PackedMatrixTests.runnable {
            for precision in TrainingPrecision.runnable where precision == .fp32 || kernel == .current {
                try spareRowsStayApart(batch: batch, steps: steps, kernel: kernel, precision: precision)
            }
        }
    }

    private func spareRowsStayApart(batch: Int, steps: Int, kernel: StepKernel, precision: TrainingPrecision) throws {
        let n = batch * steps
        // The workspace picks layer 0's path by the sizes: the token table when 2V <= S*B. V = 11 gathers embeddings
        // at every window here (S*B <= 20) and V = S*B/2 takes the table. No V takes it at S*B = 1; at S*B = 2 and 3
        // only V = 1 does, whose loss (a softmax over one class) is 0 whatever the parameters, so its gradients are
        // all 0 (and a NaN from a spare row would still show).
        var paths = [(vocabulary: 11, projectsTokens: false)]
        if n >= 2 { paths.append((vocabulary: n / 2, projectsTokens: true)) }
        for (v, projectsTokens) in paths {
            let config = ModelConfig(vocabularySize: v, embeddingSize: 5, hiddenSize: 6, layers: 2)
            let model = try LanguageModel(config: config, seed: 3)
            let (h, l) = (config.hiddenSize, config.layers)
            var rng = RandomSource(seed: 8)
            let inputs = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
            let targets = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
            func run(poisoned: Bool) throws -> (loss: Float, state: LSTMState, gradients: [Float], initial: LSTMState) {
                let ws = try SequenceWorkspace(config: config, batchSize: batch, steps: steps, precision: precision, stepKernel: kernel)
                try #require(ws.projectsTokens == projectsTokens, "V=\(v) B=\(batch) S=\(steps)")
                #expect(ws.caches[0].paddedBatchSize > batch)
                if poisoned {
                    for cache in ws.caches {
                        for m in [cache.gateBuffer, cache.h, cache.c, cache.recurrent, cache.dhNext] { m.base.update(repeating: .nan, count: m.count) }
                    }
                }
                var state = LSTMState(layers: l, batchSize: batch, hiddenSize: h)
                for i in state.h.indices { state.h[i] = Float(i % 5) * 0.1 - 0.2; state.c[i] = Float(i % 3) * 0.2 - 0.2 }
                model.zeroGradients()
                let loss = try model.forward(inputs: inputs, targets: targets, state: &state, workspace: ws)
                try model.backward(workspace: ws)
                return (loss, state, model.gradients.array, ws.initialStateGradient)
            }
            let clean = try run(poisoned: false)
            let poisoned = try run(poisoned: true)
            #expect(clean.loss.isFinite && poisoned.loss == clean.loss, "\(kernel) \(precision)")
            #expect(poisoned.state.h == clean.state.h && poisoned.state.c == clean.state.c)
            #expect(poisoned.gradients == clean.gradients)
            #expect(poisoned.initial.h == clean.initial.h && poisoned.initial.c == clean.initial.c)
            #expect(clean.state.h.contains { $0 != 0 })
            if v > 1 { #expect(clean.initial.h.contains { $0 != 0 }) }
        }
    }
}
