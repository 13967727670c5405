#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CharModel

/// How well a model predicts a text: what `charnn eval` reports.
public struct EvaluationResult: Codable, Equatable, Sendable {
    /// Graphemes predicted (every one after the first).
    public var predictions: Int
    /// Mean cross-entropy, nats per grapheme.
    public var loss: Double
    /// The same in bits per grapheme (character).
    public var bitsPerCharacter: Double { loss / log(2) }
    /// exp(loss).
    public var perplexity: Double { exp(loss) }
    /// Fraction of graphemes that were the model's first choice.
    public var top1Accuracy: Double
    /// Fraction of graphemes among the model's five first choices.
    public var top5Accuracy: Double

    enum CodingKeys: String, CodingKey {
        case predictions, loss, bitsPerCharacter, perplexity, top1Accuracy, top5Accuracy
    }

    public init(predictions: Int, loss: Double, top1Accuracy: Double, top5Accuracy: Double) {
        self.predictions = predictions
        self.loss = loss
        self.top1Accuracy = top1Accuracy
        self.top5Accuracy = top5Accuracy
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(predictions: try c.decode(Int.self, forKey: .predictions), loss: try c.decode(Double.self, forKey: .loss),
                  top1Accuracy: try c.decode(Double.self, forKey: .top1Accuracy), top5Accuracy: try c.decode(Double.self, forKey: .top5Accuracy))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(predictions, forKey: .predictions)
        try c.encode(loss, forKey: .loss)
        try c.encode(bitsPerCharacter, forKey: .bitsPerCharacter)
        try c.encode(perplexity, forKey: .perplexity)
        try c.encode(top1Accuracy, forKey: .top1Accuracy)
        try c.encode(top5Accuracy, forKey: .top5Accuracy)
    }
}

/// Streams a text of any length through a model in windows of `steps`, one stream, the state carried across
/// windows, so every grapheme is predicted from all the text before it.
public func evaluate(model: LanguageModel, ids: some Collection<Int32>, steps: Int = 256) throws -> EvaluationResult {
    guard ids.count >= 2 else { throw SamplingError.invalidText("the text needs at least 2 graphemes to evaluate, got \(ids.count)") }
    let all = Array(ids)
    var state = LSTMState(layers: model.config.layers, batchSize: 1, hiddenSize: model.config.hiddenSize)
    var workspaces: [Int: SequenceWorkspace] = [:]
    var (lossSum, top1, top5) = (0.0, 0, 0)
    var start = 0
    while start < all.count - 1 {
        let n = min(steps, all.count - 1 - start)
        let ws = try workspaces[n] ?? SequenceWorkspace(config: model.config, batchSize: 1, steps: n)
        workspaces[n] = ws
        let inputs = Array(all[start..<start + n]), targets = Array(all[start + 1...start + n])
        lossSum += Double(try model.forward(inputs: inputs, targets: targets, state: &state, workspace: ws)) * Double(n)
        for t in 0..<n {
            let logits = ws.logits(stream: 0, step: t)
            // The target's rank: how many ids score higher (ties count against it, lower ids first).
            let rank = TopK.rank(of: Int(targets[t]), among: 0..<logits.count) { ranksAbove($0, $1, by: logits) }
            if rank == 0 { top1 += 1 }
            if rank < 5 { top5 += 1 }
        }
        start += n
    }
    let count = all.count - 1
    return EvaluationResult(predictions: count, loss: lossSum / Double(count),
                            top1Accuracy: Double(top1) / Double(count), top5Accuracy: Double(top5) / Double(count))
}
