import Foundation
import Testing
import CharModel
@testable import CharTraining

private func ids(_ values: [Int32], vocabulary: Int = 100) -> TokenIDs {
    var result = TokenIDs(vocabularySize: vocabulary)
    result.append(contentsOf: values)
    return result
}

@Suite("Data")
struct DataTests {
    @Test("ids are stored in 2 bytes while the vocabulary allows, 4 beyond")
    func compactStorage() {
        var narrow = TokenIDs(vocabularySize: 65_536)
        narrow.append(contentsOf: [0, 65_535, 7])
        #expect(narrow.bytesPerID == 2)
        #expect([narrow[0], narrow[1], narrow[2]] == [0, 65_535, 7])
        var wide = TokenIDs(vocabularySize: 65_537)
        wide.append(contentsOf: [65_536])
        #expect(wide.bytesPerID == 4 && wide[0] == 65_536)
    }

    @Test("splits are contiguous and cover the corpus")
    func splits() {
        let s = CorpusSplits(count: 1000, trainFraction: 0.9, validationFraction: 0.05)
        #expect(s.train == 0..<900 && s.validation == 900..<950 && s.test == 950..<1000)
    }

    @Test("streams are contiguous, windows continue each other, targets are shifted by one")
    func batchStreams() throws {
        // 2 streams over 0..<23: stream length 11, windows of 3 -> 3 windows per epoch.
        let stream = try BatchStream(span: 0..<23, batchSize: 2, steps: 3, splitName: "training")
        #expect(stream.windowCount == 3)
        let data = ids((0..<23).map { Int32($0) })
        var inputs = [Int32](repeating: 0, count: 6), targets = inputs
        stream.window(0, of: data, inputs: &inputs, targets: &targets)
        #expect(inputs == [0, 1, 2, 11, 12, 13] && targets == [1, 2, 3, 12, 13, 14])
        stream.window(2, of: data, inputs: &inputs, targets: &targets)
        #expect(inputs == [6, 7, 8, 17, 18, 19] && targets == [7, 8, 9, 18, 19, 20])
    }

    @Test("a split too small for one batch names the minimum")
    func tooSmall() {
        #expect(throws: TrainingError.corpusTooSmall("the training split has 30 graphemes; batch size 4 x sequence length 8 needs at least 33")) {
            try BatchStream(span: 0..<30, batchSize: 4, steps: 8, splitName: "training")
        }
    }
}

@Suite("Optimizers and schedules")
struct OptimizerTests {
    private func oneStep(_ kind: OptimizerKind, steps: Int = 2) -> [Float] {
        var config = TrainingConfig()
        config.optimizer = kind
        config.learningRate = 0.1
        config.weightDecay = 0.01
        let p = FloatBuffer([1.0, -2.0]), g = FloatBuffer([0.5, 0.25])
        let optimizer = Optimizer(config: config, parameterCount: 2)
        for t in 1...steps { optimizer.step(parameters: p, gradients: g, learningRate: 0.1, t: t) }
        return p.array
    }

    /// The update rules written out in Float64 for two steps with a constant gradient.
    @Test("Adam, RMSProp and SGD follow their update rules")
    func updateRules() {
        let (lr, wd) = (0.1, 0.01)
        func check(_ kind: OptimizerKind, _ rule: (Double, Double) -> Double) {
            let got = oneStep(kind)
            for (i, (p0, g)) in [(1.0, 0.5), (-2.0, 0.25)].enumerated() {
                #expect(abs(Double(got[i]) - rule(p0, g)) < 1e-6, "\(kind) parameter \(i)")
            }
        }
        check(.adam) { p0, g in
            var (p, m, v) = (p0, 0.0, 0.0)
            for t in 1...2 {
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                let mhat = m / (1 - pow(0.9, Double(t))), vhat = v / (1 - pow(0.999, Double(t)))
                p -= lr * mhat / (vhat.squareRoot() + 1e-8) + lr * wd * p
            }
            return p
        }
        check(.rmsprop) { p0, g in
            var (p, v) = (p0, 0.0)
            for _ in 1...2 {
                v = 0.99 * v + 0.01 * g * g
                p -= lr * g / (v.squareRoot() + 1e-8) + lr * wd * p
            }
            return p
        }
        check(.sgd) { p0, g in
            var (p, b) = (p0, 0.0)
            for _ in 1...2 {
                b = 0.9 * b + g
                p -= lr * b + lr * wd * p
            }
            return p
        }
    }

    @Test("clipping scales the global norm down to the limit and reports the norm before")
    func clipping() {
        let g = FloatBuffer([3, 4, 0])
        #expect(clipGradientNorm(g, maxNorm: 1) == 5)
        #expect(g.array == [0.6, 0.8, 0])
        let h = FloatBuffer([0.3, 0.4])
        #expect(clipGradientNorm(h, maxNorm: 1) == 0.5 && h.array == [0.3, 0.4])
        #expect(clipGradientNorm(FloatBuffer([.nan, 1]), maxNorm: 1).isNaN)
    }

    @Test("schedules: constant, step decay by epochs, cosine to the floor")
    func schedules() {
        var config = TrainingConfig()
        config.learningRate = 1
        #expect(LearningRateSchedule(config: config, plannedIterations: 100).rate(step: 50, epoch: 9) == 1)
        config.schedule = .step
        config.decayEveryEpochs = 2
        config.decayFactor = 0.5
        let step = LearningRateSchedule(config: config, plannedIterations: 100)
        #expect([0, 1, 2, 3, 4, 5].map { step.rate(step: 0, epoch: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.25])
        config.schedule = .cosine
        config.minLearningRateFactor = 0.1
        let cosine = LearningRateSchedule(config: config, plannedIterations: 100)
        #expect(cosine.rate(step: 0, epoch: 0) == 1)
        #expect(abs(cosine.rate(step: 50, epoch: 0) - 0.55) < 1e-6)
        #expect(abs(cosine.rate(step: 100, epoch: 0) - 0.1) < 1e-6)
        #expect(abs(cosine.rate(step: 200, epoch: 0) - 0.1) < 1e-6)
        config.maxSeconds = 600
        let timed = LearningRateSchedule(config: config, plannedIterations: 100)
        #expect(abs(timed.rate(step: 10, epoch: 0, elapsed: 300) - 0.55) < 1e-6, "half the time gone")
        #expect(abs(timed.rate(step: 60, epoch: 0, elapsed: 300) - cosine.rate(step: 60, epoch: 0)) < 1e-6, "half the steps gone")
    }

    @Test("out-of-range settings name themselves")
    func validation() {
        var config = TrainingConfig()
        config.learningRate = 0
        #expect(throws: TrainingError.invalidOption("learning rate must be positive, got 0.0")) { try config.validate() }
        config = TrainingConfig()
        config.trainFraction = 0.97
        #expect(throws: TrainingError.invalidOption("validation fraction must be in (0, 1 - train fraction], got 0.05")) { try config.validate() }
        config = TrainingConfig()
        config.batchSize = 0
        #expect(throws: TrainingError.invalidOption("batch size must be at least 1, got 0")) { try config.validate() }
        config = TrainingConfig()
        config.syncEvery = 0
        #expect(throws: TrainingError.invalidOption("sync interval must be at least 1, got 0")) { try config.validate() }
    }

    @Test("what only MPI and bf16 runs set stays out of a single process's checkpoint metadata, which reads as before")
    func singleProcessMetadataUnchanged() throws {
        let config = String(decoding: try JSONEncoder().encode(TrainingConfig()), as: UTF8.self)
        let state = String(decoding: try JSONEncoder().encode(TrainerState(seed: 1, learningRate: 0.002)), as: UTF8.self)
        #expect(!config.contains("syncEvery") && !config.contains("precision") && !state.contains("ranks"))
        #expect(TrainingConfig().windowsPerSync == 1)
        var multi = TrainerState(seed: 1, learningRate: 0.002)
        multi.ranks = 4
        #expect(try JSONDecoder().decode(TrainerState.self, from: JSONEncoder().encode(multi)).ranks == 4)
    }
}

@Suite("Trainer")
struct TrainerTests {
    private static let text: [Int32] = {
        var rng = RandomSource(seed: 99)
        // A repetitive pattern with some noise: learnable, not trivial.
        return (0..<4000).map { i in rng.next() % 10 == 0 ? Int32(rng.next() % 12) : Int32((i * 7 / 3) % 12) }
    }()

    private func makeTrainer(config: TrainingConfig) throws -> Trainer {
        let model = try LanguageModel(config: ModelConfig(vocabularySize: 12, embeddingSize: 8, hiddenSize: 16, layers: 2, dropout: 0.2), seed: config.seed)
        return try Trainer(model: model, config: config, ids: ids(Self.text, vocabulary: 12),
                           splits: CorpusSplits(count: Self.text.count, trainFraction: 0.8, validationFraction: 0.1), threads: 1)
    }

    private var config: TrainingConfig {
        var config = TrainingConfig()
        config.batchSize = 4
        config.sequenceLength = 16
        config.maxIterations = 120
        config.evaluateEvery = 40
        config.checkpointEvery = 50
        config.learningRate = 1e-2
        return config
    }

    @Test("the loss falls and the validation loss is recorded at the cadence")
    func learns() throws {
        let trainer = try makeTrainer(config: config)
        let before = try trainer.validationLoss()
        var reasons: [CheckpointReason] = []
        let outcome = try trainer.run(clock: { 0 }, shouldStop: { false }, checkpoint: { reasons.append($0) }, report: { _ in })
        #expect(outcome == .finished)
        #expect(trainer.state.step == 120)
        #expect(trainer.state.history.map(\.step) == [40, 80, 120])
        let after = try #require(trainer.state.lastValidationLoss)
        #expect(after < before * 0.8, "validation loss \(before) -> \(after)")
        #expect(reasons.filter { $0 == .periodic }.count == 2)
        #expect(reasons.last == .final)
    }

    @Test("a run trained on several MPI ranks is refused alone, saying how to resume it")
    func otherRankCountRefused() throws {
        var state = TrainerState(seed: 1, learningRate: 0.01)
        state.ranks = 2
        let model = try LanguageModel(config: ModelConfig(vocabularySize: 12, embeddingSize: 8, hiddenSize: 16, layers: 2), seed: 1)
        #expect(throws: TrainingError.distributed("the run was trained on 2 ranks and cannot resume on 1: only the same count continues it exactly; resume it with mpirun -np 2, or start a new run from it with --init-from")) {
            try Trainer(model: model, config: config, ids: ids(Self.text, vocabulary: 12),
                        splits: CorpusSplits(count: Self.text.count, trainFraction: 0.8, validationFraction: 0.1), threads: 1, state: state)
        }
    }

    static let precisions = TrainingPrecision.runnable

    @Test("stopping and continuing with the saved state gives the same weights as never stopping", arguments: precisions)
    func resumeIsExact(precision: TrainingPrecision) throws {
        var config = config
        config.precision = precision
        let straight = try makeTrainer(config: config)
        _ = try straight.run(clock: { 0 }, shouldStop: { false }, checkpoint: { _ in }, report: { _ in })

        let first = try makeTrainer(config: config)
        var calls = 0
        let outcome = try first.run(clock: { 0 }, shouldStop: { calls += 1; return calls == 57 }, checkpoint: { _ in }, report: { _ in })
        #expect(outcome == .interrupted && first.state.step == 57)
        let model = try LanguageModel(config: first.model.config, parameters: first.model.parameters.array)
        let optimizer = Optimizer(config: config, parameterCount: model.parameterCount)
        for (slot, saved) in zip(optimizer.slots, first.optimizer.slots) { slot.copy(from: saved) }
        let second = try Trainer(model: model, config: config, ids: ids(Self.text, vocabulary: 12),
                                 splits: CorpusSplits(count: Self.text.count, trainFraction: 0.8, validationFraction: 0.1), threads: 1,
                                 optimizer: optimizer, state: first.state, carried: first.carried)
        _ = try second.run(clock: { 0 }, shouldStop: { false }, checkpoint: { _ in }, report: { _ in })
        #expect(second.model.parameters.array == straight.model.parameters.array)
        // Everything but the wall-clock rates, which no two runs share.
        func untimed(_ state: TrainerState) -> TrainerState {
            var state = state
            for i in state.history.indices { state.history[i].charsPerSecond = 0 }
            return state
        }
        #expect(untimed(second.state) == untimed(straight.state))
    }

    @Test("bf16 training follows fp32's validation losses within 0.02 nats", .enabled(if: precisions.contains(.bf16)))
    func bf16FollowsFP32() throws {
        var losses: [[Float]] = []
        for precision in [TrainingPrecision.fp32, .bf16] {
            var config = config
            config.precision = precision
            let trainer = try makeTrainer(config: config)
            _ = try trainer.run(clock: { 0 }, shouldStop: { false }, checkpoint: { _ in }, report: { _ in })
            losses.append(trainer.state.history.compactMap(\.validationLoss))
        }
        #expect(losses[0].count == 3 && losses[1].count == 3)
        for (fp32, bf16) in zip(losses[0], losses[1]) {
            #expect(abs(fp32 - bf16) < 0.02, "fp32 \(losses[0]) against bf16 \(losses[1])")
        }
        #expect(losses[0] != losses[1], "the bf16 run computed exactly what fp32 did")
    }

    @Test("a loss that explodes stops the run naming the step, before the update")
    func divergence() throws {
        var config = self.config
        config.learningRate = 50
        config.gradientClip = 0
        config.optimizer = .sgd
        let trainer = try makeTrainer(config: config)
        let error = #expect(throws: TrainingError.self) {
            _ = try trainer.run(clock: { 0 }, shouldStop: { false }, checkpoint: { _ in }, report: { _ in })
        }
        guard case .diverged(let step, _) = error else { Issue.record("expected divergence, got \(String(describing: error))"); return }
        #expect(trainer.state.step == step - 1)
        #expect(trainer.model.parameters.array.allSatisfy { $0.isFinite })
    }

    @Test("early stopping ends the run when validation stops improving")
    func earlyStopping() throws {
        var config = self.config
        config.maxIterations = 2000
        config.evaluateEvery = 5
        config.patience = 2
        config.learningRate = 0.3
        config.optimizer = .sgd
        config.divergenceFactor = 100
        let trainer = try makeTrainer(config: config)
        let outcome = try trainer.run(clock: { 0 }, shouldStop: { false }, checkpoint: { _ in }, report: { _ in })
        #expect(outcome == .earlyStopped)
        #expect(trainer.state.evaluationsWithoutImprovement == 2)
        #expect(trainer.state.step < 2000)
    }
}
