import ArgumentParser
import CharTraining

/// How to train, on the command line. Every option is optional so that a resume can tell which were given.
struct TrainingOptions: ParsableArguments {
    private static let defaults = TrainingConfig()

    @Option(help: ArgumentHelp("Parallel streams per batch B (default \(defaults.batchSize)).", valueName: "n")) var batchSize: Int?
    @Option(help: ArgumentHelp("Steps per window of back-propagation S (default \(defaults.sequenceLength)).", valueName: "n")) var seqLength: Int?
    @Option(help: ArgumentHelp("Stop after n epochs (default \(defaults.maxEpochs)).", valueName: "n")) var maxEpochs: Int?
    @Option(help: ArgumentHelp("Stop after n iterations.", valueName: "n")) var maxIterations: Int?
    @Option(help: ArgumentHelp("Stop after this much training time: 600, 90s, 10m, 1.5h.", valueName: "time")) var maxTime: DurationArgument?
    @Option(help: "Optimizer: \(list(OptimizerKind.allCases, default: defaults.optimizer)).") var optimizer: OptimizerKind?
    @Option(name: .customLong("lr"), help: ArgumentHelp("Learning rate (default \(defaults.learningRate)).", valueName: "rate")) var learningRate: Float?
    @Option(help: ArgumentHelp("Learning-rate schedule: \(list(ScheduleKind.allCases, default: defaults.schedule)).", valueName: "kind"))
    var schedule: ScheduleKind?
    @Option(help: ArgumentHelp("Step schedule: decay every n epochs (default \(defaults.decayEveryEpochs)).", valueName: "n")) var decayEvery: Int?
    @Option(help: ArgumentHelp("Step schedule: multiply the rate by f (default \(defaults.decayFactor)).", valueName: "f")) var decayFactor: Float?
    @Option(help: ArgumentHelp("Cosine schedule: final rate as a fraction of the first (default \(defaults.minLearningRateFactor)).", valueName: "f"))
    var minLrFactor: Float?
    @Option(help: ArgumentHelp("SGD momentum (default \(defaults.momentum)).", valueName: "m")) var momentum: Float?
    @Option(help: ArgumentHelp("Decoupled weight decay (default \(number(defaults.weightDecay))).", valueName: "w")) var weightDecay: Float?
    @Option(help: ArgumentHelp("Clip the global gradient norm at this (default \(number(defaults.gradientClip)); 0 = off).", valueName: "norm"))
    var clip: Float?
    @Option(help: ArgumentHelp("Fraction of the corpus for training (default \(defaults.trainFraction)).", valueName: "f")) var trainFraction: Double?
    @Option(help: ArgumentHelp("Fraction for validation, after the training part (default \(defaults.validationFraction)).", valueName: "f"))
    var valFraction: Double?
    @Option(help: ArgumentHelp("Evaluate on the validation split every n iterations (default \(defaults.evaluateEvery)).", valueName: "n"))
    var evalEvery: Int?
    @Option(help: ArgumentHelp("Save a checkpoint every n iterations (default \(defaults.checkpointEvery)).", valueName: "n")) var checkpointEvery: Int?
    @Option(help: ArgumentHelp("Periodic checkpoints to keep (default \(defaults.keepCheckpoints)).", valueName: "n")) var keep: Int?
    @Option(help: ArgumentHelp("Stop when validation has not improved for n evaluations.", valueName: "n")) var patience: Int?
    @Option(help: ArgumentHelp("Seed for initialisation and dropout (default \(defaults.seed)).", valueName: "n")) var seed: UInt64?
    @Option(help: ArgumentHelp("Under mpirun: average the ranks' models every k windows (local SGD) instead of summing gradients every window (default \(defaults.windowsPerSync)).", valueName: "k"))
    var syncEvery: Int?

    @Option(help: ArgumentHelp("Precision of the matrix products' operands: \(list(TrainingPrecision.allCases, default: defaults.productPrecision)); bf16 needs AVX512_BF16 and may change on resume.", valueName: "p"))
    var precision: TrainingPrecision?

    /// One option: its flag, and how it sets and compares its field of `TrainingConfig`.
    private struct Field {
        let flag: String
        let apply: (TrainingOptions, inout TrainingConfig) -> Void
        let differs: (TrainingConfig, TrainingConfig) -> Bool
        /// Whether a resumed run may take a new value: only the options that say when to stop.
        let changesOnResume: Bool

        init<T: Equatable>(_ flag: String, _ option: KeyPath<TrainingOptions, T?>, _ field: WritableKeyPath<TrainingConfig, T>,
                           changesOnResume: Bool = false) {
            self.flag = flag
            apply = { options, config in if let value = options[keyPath: option] { config[keyPath: field] = value } }
            differs = { $0[keyPath: field] != $1[keyPath: field] }
            self.changesOnResume = changesOnResume
        }

        init<T: Equatable>(_ flag: String, _ option: KeyPath<TrainingOptions, T?>, _ field: WritableKeyPath<TrainingConfig, T?>,
                           changesOnResume: Bool = false) {
            self.flag = flag
            apply = { options, config in if let value = options[keyPath: option] { config[keyPath: field] = value } }
            differs = { $0[keyPath: field] != $1[keyPath: field] }
            self.changesOnResume = changesOnResume
        }
    }

    /// Every option and the field it sets: the one list that `apply` and `conflicts` read.
    private static var fields: [Field] {[
        Field("--batch-size", \.batchSize, \.batchSize), Field("--seq-length", \.seqLength, \.sequenceLength),
        Field("--max-epochs", \.maxEpochs, \.maxEpochs, changesOnResume: true),
        Field("--max-iterations", \.maxIterations, \.maxIterations, changesOnResume: true),
        Field("--max-time", \.maxTime?.seconds, \.maxSeconds, changesOnResume: true),
        Field("--optimizer", \.optimizer, \.optimizer), Field("--lr", \.learningRate, \.learningRate),
        Field("--schedule", \.schedule, \.schedule), Field("--decay-every", \.decayEvery, \.decayEveryEpochs),
        Field("--decay-factor", \.decayFactor, \.decayFactor), Field("--min-lr-factor", \.minLrFactor, \.minLearningRateFactor),
        Field("--momentum", \.momentum, \.momentum), Field("--weight-decay", \.weightDecay, \.weightDecay),
        Field("--clip", \.clip, \.gradientClip), Field("--train-fraction", \.trainFraction, \.trainFraction),
        Field("--val-fraction", \.valFraction, \.validationFraction), Field("--eval-every", \.evalEvery, \.evaluateEvery),
        Field("--checkpoint-every", \.checkpointEvery, \.checkpointEvery), Field("--keep", \.keep, \.keepCheckpoints),
        Field("--patience", \.patience, \.patience), Field("--seed", \.seed, \.seed),
        Field("--sync-every", \.syncEvery, \.syncEvery),
        Field("--precision", \.precision, \.precision, changesOnResume: true),
    ]}

    /// `base` with every option given applied.
    func apply(to base: TrainingConfig) -> TrainingConfig {
        var config = base
        for field in Self.fields { field.apply(self, &config) }
        return config
    }

    /// The flags given that would change `saved` in anything but when to stop (--max-epochs, --max-iterations and
    /// --max-time may extend or shorten a resumed run) and the precision (--precision fine-tunes in bf16 and back).
    func conflicts(with saved: TrainingConfig) -> [String] {
        let wanted = apply(to: saved)
        return Self.fields.filter { !$0.changesOnResume && $0.differs(wanted, saved) }.map(\.flag)
    }
}

/// "adam (default), rmsprop or sgd".
private func list<T: RawRepresentable & Equatable>(_ cases: [T], default chosen: T) -> String where T.RawValue == String {
    let names = cases.map { $0.rawValue + ($0 == chosen ? " (default)" : "") }
    return names.dropLast().joined(separator: ", ") + " or " + names.last!
}

/// A default as a person writes it: 5 and 0, not 5.0 and 0.0.
private func number(_ value: Float) -> String {
    value == value.rounded() ? String(Int(value)) : "\(value)"
}

extension OptimizerKind: ExpressibleByArgument {}
extension TrainingPrecision: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
