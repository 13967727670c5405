/// B parallel contiguous streams over a span of ids, cut into windows of S steps (truncated BPTT, as char-rnn).
///
/// Stream b reads ids [start + b*L, start + (b+1)*L] with L = (count - 1) / B; window w of stream b is its steps
/// w*S ..< (w+1)*S, targets shifted by one. Window w+1 continues where window w stopped, so the hidden state
/// carried from one window to the next is the state of the text just read.
public struct BatchStream: Sendable {
    /// B.
    public let batchSize: Int
    /// S.
    public let steps: Int
    /// Windows in one pass over the span.
    public let windowCount: Int
    private let start: Int
    private let streamLength: Int

    /// Streams over `span`; throws `corpusTooSmall` naming the minimum when not even one window fits.
    public init(span: Range<Int>, batchSize: Int, steps: Int, splitName: String) throws(TrainingError) {
        self.batchSize = batchSize
        self.steps = steps
        start = span.lowerBound
        streamLength = max(0, span.count - 1) / batchSize
        windowCount = streamLength / steps
        guard windowCount >= 1 else {
            throw .corpusTooSmall("the \(splitName) split has \(span.count) graphemes; batch size \(batchSize) x sequence length \(steps) needs at least \(batchSize * steps + 1)")
        }
    }

    /// Fills `inputs` and `targets` (B*S each, stream-major) with window `w`.
    public func window(_ w: Int, of ids: TokenIDs, inputs: inout [Int32], targets: inout [Int32]) {
        precondition(w >= 0 && w < windowCount && inputs.count == batchSize * steps && targets.count == inputs.count)
        for b in 0..<batchSize {
            let first = start + b * streamLength + w * steps
            ids.copy(from: first, count: steps, into: &inputs, at: b * steps)
            ids.copy(from: first + 1, count: steps, into: &targets, at: b * steps)
        }
    }
}
