import CharModel
import CharModelFile
import Foundation

/// What a predictor learns from the text its user types: a per-user change to the model's decoder
/// (`DecoderDelta`), kept apart from the shared, read-only model and saved in a profile file of its own.
///
/// The predictor records, for each grapheme typed, the top layer's state and the logits that predicted it. After
/// each finished word or line (a space or line feed typed, a reset), or when `Settings.window` graphemes are
/// waiting, the change takes one gradient step on them (dynamic evaluation of the decoder) and the record is
/// cleared. The cost is bounded: a step costs about 2 · window · V · H multiply-adds.
///
/// The change is the decoder's because it needs no backward pass through the LSTM and no change to the shared
/// layers' products, so a step costs far less than a keystroke's budget; the rate was chosen by measurement
/// (`docs/performance.md`, which also says what it gains).
///
/// A profile file is a safetensors file (`CheckpointFile`: checksummed, written atomically) holding ΔW and Δb and
/// the fingerprint of the model it belongs to. Deleting it forgets everything.
public final class Personalisation {
    /// How fast the change learns and how strongly it is pulled back to the shared model.
    public struct Settings: Sendable, Equatable {
        /// The gradient step's learning rate.
        public var rate: Float
        /// The fraction of the change forgotten at each step.
        public var decay: Float
        /// The most graphemes one step learns from.
        public var window: Int

        /// Defaults measured on a book typed in order (see `docs/performance.md`); the decay halves a change in
        /// about 7,000 words.
        public init(rate: Float = 0.01, decay: Float = 0.0001, window: Int = 64) {
            self.rate = rate
            self.decay = decay
            self.window = window
        }
    }

    /// The settings it learns with.
    public let settings: Settings
    /// The change to the decoder.
    public let delta: DecoderDelta
    /// Gradient steps taken since the profile was started.
    public private(set) var steps: Int
    /// The fingerprint of the model this change belongs to (see `fingerprint(of:)`).
    public let modelFingerprint: String

    /// [window, H] the top layer's state before each recorded grapheme.
    private let hidden: FloatBuffer
    /// [window, V] the logits that predicted it.
    private let logits: FloatBuffer
    /// [window] the recorded graphemes' ids.
    private var targets: [Int32]

    /// A fresh change for `model` (the shared model unchanged until it learns).
    public init(model: LanguageModel, settings: Settings = Settings()) {
        self.settings = settings
        delta = DecoderDelta(config: model.config, capacity: settings.window)
        steps = 0
        modelFingerprint = Self.fingerprint(of: model)
        hidden = FloatBuffer(count: settings.window * model.config.hiddenSize)
        logits = FloatBuffer(count: settings.window * model.config.vocabularySize)
        targets = []
        targets.reserveCapacity(settings.window)
    }

    /// Graphemes recorded and not yet learned from.
    public var pending: Int { targets.count }

    /// Records that `state` (its logits include this change) was followed by `token`; learns when the window is full.
    func record(_ state: InferenceState, followedBy token: Int32) {
        let config = delta.config
        let row = targets.count
        let top = state.hidden.baseAddress! + (config.layers - 1) * config.hiddenSize
        (hidden.base + row * config.hiddenSize).update(from: top, count: config.hiddenSize)
        (logits.base + row * config.vocabularySize).update(from: state.logits.baseAddress!, count: config.vocabularySize)
        targets.append(token)
        if targets.count == settings.window { learn() }
    }

    /// Forgets the last recorded grapheme, when it has not been learned from yet (Backspace).
    func dropLast() {
        if !targets.isEmpty { targets.removeLast() }
    }

    /// One gradient step on the recorded graphemes, then clears the record; nothing when none is recorded.
    func learn() {
        guard !targets.isEmpty else { return }
        let (n, config) = (targets.count, delta.config)
        _ = targets.withUnsafeBufferPointer { ids in
            delta.learn(hidden: Matrix(hidden.base, rows: n, cols: config.hiddenSize),
                        logits: Matrix(logits.base, rows: n, cols: config.vocabularySize),
                        targets: ids.baseAddress!, rate: settings.rate, decay: settings.decay)
        }
        targets.removeAll(keepingCapacity: true)
        steps += 1
    }

    // MARK: Profile files

    static let weightName = "personalisation.decoder.weight"
    static let biasName = "personalisation.decoder.bias"
    static let fingerprintKey = "model_fingerprint"
    static let stepsKey = "personalisation_steps"

    /// A short fingerprint of a model's weights (xxh64 of their bytes), which a profile records to refuse
    /// being applied to another model.
    public static func fingerprint(of model: LanguageModel) -> String {
        let bytes = UnsafeRawBufferPointer(start: model.parameters.base, count: model.parameters.count * MemoryLayout<Float>.size)
        return "xxh64:" + String(Checksum.hash(bytes), radix: 16)
    }

    /// Writes the change (what is recorded but not learned yet is left out) durably to `url`.
    public func save(to url: URL) throws {
        let (v, h) = (delta.config.vocabularySize, delta.config.hiddenSize)
        let values = Array(delta.values.buffer)
        let tensors = [
            try SafetensorsTensor(name: Self.weightName, shape: [v, h], floats: Array(values[0..<(v * h)])),
            try SafetensorsTensor(name: Self.biasName, shape: [v], floats: Array(values[(v * h)...])),
        ]
        try CheckpointFile.write(tensors: tensors, metadata: [Self.fingerprintKey: modelFingerprint, Self.stepsKey: String(steps)], to: url)
    }

    /// The change saved at `url`, for `model`.
    ///
    /// - Throws: `ProfileError.notForThisModel` for a profile of another model, `.damaged` for a file that is not a
    ///   whole profile, or the reading error of a file that cannot be read.
    public static func load(from url: URL, model: LanguageModel, settings: Settings = Settings()) throws -> Personalisation {
        let path = DurableFile.path(of: url)
        let file: CheckpointFile
        do {
            file = try CheckpointFile.read(from: url)
        } catch let error as CheckpointError {
            throw ProfileError.damaged(path: path, problem: ProfileError.problem(of: error))
        }
        let personalisation = Personalisation(model: model, settings: settings)
        guard let fingerprint = file.metadata[fingerprintKey], let steps = file.metadata[stepsKey].flatMap({ Int($0) }) else {
            throw ProfileError.damaged(path: path, problem: "it is not a charnn profile (no '\(fingerprintKey)' or '\(stepsKey)')")
        }
        guard fingerprint == personalisation.modelFingerprint else {
            throw ProfileError.notForThisModel(path: path, profileModel: fingerprint, model: personalisation.modelFingerprint)
        }
        let (v, h) = (model.config.vocabularySize, model.config.hiddenSize)
        guard let weight = file[tensor: weightName]?.floats, let bias = file[tensor: biasName]?.floats,
              weight.count == v * h, bias.count == v
        else {
            throw ProfileError.damaged(path: path, problem: "its tensors are not a [\(v), \(h)] weight and a [\(v)] bias")
        }
        personalisation.delta.values.base.update(from: weight, count: v * h)
        (personalisation.delta.values.base + v * h).update(from: bias, count: v)
        personalisation.steps = steps
        return personalisation
    }
}
