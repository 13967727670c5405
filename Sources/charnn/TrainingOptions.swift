import ArgumentParser
import CharTraining

/// How to train, on the command line. Every option is optional so that a resume can tell which were given.
struct TrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Parallel streams per batch B (default 50).", valueName: "n")) var batchSize: Int?
    @Option(help: ArgumentHelp("Steps per window of back-propagation S (default 50).", valueName: "n")) var seqLength: Int?
    @Option(help: ArgumentHelp("Stop after n epochs (default 20).", valueName: "n")) var maxEpochs: Int?
    @Option(help: ArgumentHelp("Stop after n iterations.", valueName: "n")) var maxIterations: Int?
    @Option(help: ArgumentHelp("Stop after this much training time: 600, 90s, 10m, 1.5h.", valueName: "time")) var maxTime: DurationArgument?
    @Option(help: "Optimizer: adam (default), rmsprop or sgd.") var optimizer: OptimizerKind?
    @Option(name: .customLong("lr"), help: ArgumentHelp("Learning rate (default 0.002).", valueName: "rate")) var learningRate: Float?
    @Option(help: ArgumentHelp("Learning-rate schedule: constant (default), step or cosine.", valueName: "kind")) var schedule: ScheduleKind?
    @Option(help: ArgumentHelp("Step schedule: decay every n epochs (default 5).", valueName: "n")) var decayEvery: Int?
    @Option(help: ArgumentHelp("Step schedule: multiply the rate by f (default 0.5).", valueName: "f")) var decayFactor: Float?
    @Option(help: ArgumentHelp("Cosine schedule: final rate as a fraction of the first (default 0.05).", valueName: "f")) var minLrFactor: Float?
    @Option(help: ArgumentHelp("SGD momentum (default 0.9).", valueName: "m")) var momentum: Float?
    @Option(help: ArgumentHelp("Decoupled weight decay (default 0).", valueName: "w")) var weightDecay: Float?
    @Option(help: ArgumentHelp("Clip the global gradient norm at this (default 5; 0 = off).", valueName: "norm")) var clip: Float?
    @Option(help: ArgumentHelp("Fraction of the corpus for training (default 0.9).", valueName: "f")) var trainFraction: Double?
    @Option(help: ArgumentHelp("Fraction for validation, after the training part (default 0.05).", valueName: "f")) var valFraction: Double?
    @Option(help: ArgumentHelp("Evaluate on the validation split every n iterations (default 500).", valueName: "n")) var evalEvery: Int?
    @Option(help: ArgumentHelp("Save a checkpoint every n iterations (default 1000).", valueName: "n")) var checkpointEvery: Int?
    @Option(help: ArgumentHelp("Periodic checkpoints to keep (default 3).", valueName: "n")) var keep: Int?
    @Option(help: ArgumentHelp("Stop when validation has not improved for n evaluations.", valueName: "n")) var patience: Int?
    @Option(help: ArgumentHelp("Seed for initialisation and dropout (default 1).", valueName: "n")) var seed: UInt64?

    /// `base` with every option given applied.
    func apply(to base: TrainingConfig) -> TrainingConfig {
        var c = base
        func set<T>(_ value: T?, _ path: WritableKeyPath<TrainingConfig, T>) { if let value { c[keyPath: path] = value } }
        set(batchSize, \.batchSize)
        set(seqLength, \.sequenceLength)
        set(maxEpochs, \.maxEpochs)
        if let maxIterations { c.maxIterations = maxIterations }
        if let maxTime { c.maxSeconds = maxTime.seconds }
        set(optimizer, \.optimizer)
        set(learningRate, \.learningRate)
        set(schedule, \.schedule)
        set(decayEvery, \.decayEveryEpochs)
        set(decayFactor, \.decayFactor)
        set(minLrFactor, \.minLearningRateFactor)
        set(momentum, \.momentum)
        set(weightDecay, \.weightDecay)
        set(clip, \.gradientClip)
        set(trainFraction, \.trainFraction)
        set(valFraction, \.validationFraction)
        set(evalEvery, \.evaluateEvery)
        set(checkpointEvery, \.checkpointEvery)
        set(keep, \.keepCheckpoints)
        if let patience { c.patience = patience }
        set(seed, \.seed)
        return c
    }

    /// The flags given that would change `saved` in anything but when to stop (--max-epochs, --max-iterations and
    /// --max-time may extend or shorten a resumed run).
    func conflicts(with saved: TrainingConfig) -> [String] {
        let wanted = apply(to: saved)
        let checks: [(String, Bool)] = [
            ("--batch-size", wanted.batchSize != saved.batchSize), ("--seq-length", wanted.sequenceLength != saved.sequenceLength),
            ("--optimizer", wanted.optimizer != saved.optimizer), ("--lr", wanted.learningRate != saved.learningRate),
            ("--schedule", wanted.schedule != saved.schedule), ("--decay-every", wanted.decayEveryEpochs != saved.decayEveryEpochs),
            ("--decay-factor", wanted.decayFactor != saved.decayFactor),
            ("--min-lr-factor", wanted.minLearningRateFactor != saved.minLearningRateFactor),
            ("--momentum", wanted.momentum != saved.momentum), ("--weight-decay", wanted.weightDecay != saved.weightDecay),
            ("--clip", wanted.gradientClip != saved.gradientClip), ("--train-fraction", wanted.trainFraction != saved.trainFraction),
            ("--val-fraction", wanted.validationFraction != saved.validationFraction),
            ("--eval-every", wanted.evaluateEvery != saved.evaluateEvery),
            ("--checkpoint-every", wanted.checkpointEvery != saved.checkpointEvery),
            ("--keep", wanted.keepCheckpoints != saved.keepCheckpoints), ("--patience", wanted.patience != saved.patience),
            ("--seed", wanted.seed != saved.seed),
        ]
        return checks.filter(\.1).map(\.0)
    }
}

extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
