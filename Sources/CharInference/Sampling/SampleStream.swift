import CharModel
import CharTokenizer

/// Sampling as an `AsyncSequence`: the graphemes drawn after a prime text, one piece of text each, as they are drawn.
///
///     let stream = try SampleStream(model: loaded, prime: "ROMEO:", length: 200, options: SamplingOptions(seed: 7))
///     for try await piece in stream { print(piece, terminator: "") }
///
/// A stream is a description, not a running generator: each iteration makes its own `Sampler` over the shared,
/// read-only model, feeds the prime and draws `length` graphemes (fewer when `stop` is generated), so iterating the
/// same stream twice gives the same text, and any number of streams over one `TrainedModel` can run at once on any
/// threads. The text is what `charnn sample` prints after its prime for the same model, options and seed.
///
/// Cancellation: every draw first checks whether the iterating task has been cancelled, and throws
/// `CancellationError` if so, so a stream whose reader has gone away (a closed connection, a dismissed view) stops
/// within one grapheme step. Before each draw the stream also yields its thread once, so that a stream consumed by a
/// tight loop shares the cooperative thread pool with other tasks. That is the only error iteration throws.
///
/// Cost per piece: one model step (see `Sampler`) and no allocation beyond the piece's `String`, which is taken from
/// a table made once per stream.
public struct SampleStream: AsyncSequence, Sendable {
    /// A piece of text: one grapheme cluster, as the tokenizer decodes its id.
    public typealias Element = String

    /// The model, shared by every iteration.
    public let model: TrainedModel
    /// How each grapheme is drawn; the seed makes the text reproducible.
    public let options: SamplingOptions
    /// Graphemes drawn at most.
    public let length: Int
    /// Generation stops once the text drawn ends with this (which is then the end of the last piece).
    public let stop: String?
    /// The ids fed before the first draw: the prime's graphemes the model knows, or for an empty prime a line feed
    /// when the vocabulary has one (see `Vocabulary.lineStartIDs`).
    public let primeIDs: [Int32]
    /// The prime's graphemes that the model does not know, in order, which were skipped rather than fed as `<unk>`.
    public let skippedGraphemes: [String]
    /// Each id's text, decoded once rather than once per draw.
    private let pieces: [String]

    /// A stream of up to `length` graphemes after `prime`, drawn from `model` under `options`.
    ///
    /// Throws a `SamplingError` naming the problem: an option out of range, a negative length, an empty `stop`, or a
    /// non-empty prime none of whose graphemes the model knows.
    public init(model: TrainedModel, prime: String = "", length: Int, options: SamplingOptions = SamplingOptions(),
                stop: String? = nil) throws(SamplingError) {
        try options.validate()
        guard length >= 0 else { throw .invalidOption("length must be 0 or more graphemes, got \(length)") }
        if let stop, stop.isEmpty { throw .invalidOption("the stop text must not be empty") }
        let tokenizer = model.tokenizer
        if prime.isEmpty {
            primeIDs = tokenizer.vocabulary.lineStartIDs
            skippedGraphemes = []
        } else {
            let units = tokenizer.units(of: prime)
            let ids = tokenizer.encode(prime)
            primeIDs = ids.filter { $0 != Vocabulary.unknownID }
            skippedGraphemes = zip(units, ids).filter { $0.1 == Vocabulary.unknownID }.map(\.0)
            guard !primeIDs.isEmpty else {
                throw .invalidText("none of the prime text's graphemes are in the model's vocabulary; give a prime in its script")
            }
        }
        self.model = model
        self.options = options
        self.length = length
        self.stop = stop
        pieces = (0..<Int32(model.model.config.vocabularySize)).map { tokenizer.decode(CollectionOfOne($0)) }
    }

    /// A new run of the stream, from the model's zero state: the prime is fed at its first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    /// One run of the stream: its own sampler and state.
    public struct Iterator: AsyncIteratorProtocol {
        private let stream: SampleStream
        private let sampler: Sampler
        private var primed = false
        private var drawn = 0
        /// The text drawn so far, kept only when there is a stop text to look for at its end.
        private var text = ""
        private var stopped = false

        fileprivate init(stream: SampleStream) {
            self.stream = stream
            // The options were validated when the stream was made, and validation is all that can fail here.
            sampler = try! Sampler(model: stream.model.model, options: stream.options)
        }

        /// The next grapheme; nil after `length` graphemes or once the stop text has been drawn. Throws
        /// `CancellationError` when the task iterating has been cancelled.
        public mutating func next() async throws -> String? {
            guard drawn < stream.length && !stopped else { return nil }
            await Task.yield()
            try Task.checkCancellation()
            if !primed {
                // The prime's ids were encoded from the model's own vocabulary, so the steps cannot reject them.
                try! sampler.feed(stream.primeIDs)
                primed = true
            }
            let piece = stream.pieces[Int(sampler.next())]
            drawn += 1
            if let stop = stream.stop {
                text += piece
                stopped = text.hasSuffix(stop)
            }
            return piece
        }
    }
}
