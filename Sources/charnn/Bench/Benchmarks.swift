import CharModel
import CharInference
import CharTokenizer
import CharTraining
import Foundation

/// The measurements behind `charnn bench`, each timed for a given number of seconds after a warm-up.
enum Benchmarks {
    /// GFLOP/s of one n x n x n sgemm: the machine's ceiling for the products training is made of.
    static func gemmGFLOPS(n: Int, seconds: Double) -> Double {
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        var rng = RandomSource(seed: 1)
        for i in 0..<n * n { a.base[i] = rng.nextUniform(bound: 1); b.base[i] = rng.nextUniform(bound: 1) }
        let (ma, mb, mc) = (a.matrix(rows: n, cols: n), b.matrix(rows: n, cols: n), c.matrix(rows: n, cols: n))
        Matrix.gemm(ma, mb, into: mc)
        let count = repeatFor(seconds: seconds) { Matrix.gemm(ma, mb, into: mc) }
        return 2 * Double(n * n * n) * Double(count.iterations) / count.seconds / 1e9
    }

    /// Training characters per second: forward, backward, clipping at 5 and an Adam step per window of B x S
    /// random tokens, no dropout, as `torch_peer.py train` does, with the products in `precision`. Also the FLOPs of
    /// those products per character (`DataParallelPass.productFLOPs`).
    static func training(
        config: ModelConfig, batchSize: Int, steps: Int, threads: Int, precision: TrainingPrecision, seconds: Double
    ) throws -> (charsPerSecond: Double, flopsPerChar: Double) {
        let model = try LanguageModel(config: config, seed: 1)
        var training = TrainingConfig()
        training.batchSize = batchSize
        training.sequenceLength = steps
        let parts = DataParallelPass.parts(threads: threads, batchSize: batchSize)
        let step = TrainingStep(pass: try DataParallelPass(model: model, batchSize: batchSize, steps: steps, parts: parts, precision: precision),
                                optimizer: Optimizer(config: training, parameterCount: model.parameterCount),
                                gradientClip: training.gradientClip)
        var rng = RandomSource(seed: 2)
        let inputs = (0..<batchSize * steps).map { _ in Int32(rng.next() % UInt64(config.vocabularySize)) }
        let targets = (0..<batchSize * steps).map { _ in Int32(rng.next() % UInt64(config.vocabularySize)) }
        var state = LSTMState(layers: config.layers, batchSize: batchSize, hiddenSize: config.hiddenSize)
        var t = 0
        var failure: Error?
        let body = {
            t += 1
            do {
                state.reset()
                try step.run(inputs: inputs, targets: targets, state: &state, rng: &rng, learningRate: training.learningRate, t: t)
            } catch { failure = error }
        }
        for _ in 0..<3 { body() }
        let count = repeatFor(seconds: seconds, body)
        if let failure { throw failure }
        return (Double(count.iterations * batchSize * steps) / count.seconds, step.pass.productFLOPs / Double(batchSize * steps))
    }

    /// Microseconds per sampled grapheme at batch 1 with the weights stored in `precision`: one model step plus a
    /// temperature-1 draw, as `torch_peer.py step` does. Also the step's floor: the weight bytes it reads, and the
    /// microseconds one core takes to read that many bytes from a buffer of that size (`readGigabytesPerSecond`).
    static func sampling(config: ModelConfig, precision: WeightPrecision, seconds: Double) throws
        -> (microseconds: Double, bytesPerStep: Int, floorMicroseconds: Double, gigabytesPerSecond: Double)
    {
        let fp32 = try LanguageModel(config: config, seed: 1)
        let model = try LanguageModel(config: config, parameters: precision.reducedParameters(fp32.parameters.array, layout: fp32.layout),
                                      precision: precision)
        let sampler = try Sampler(model: model, options: SamplingOptions(temperature: 1, seed: 3))
        for _ in 0..<50 { _ = sampler.next() }
        let count = repeatFor(seconds: seconds) { _ = sampler.next() }
        let bytes = model.inferenceBytesPerStep
        let rate = readGigabytesPerSecond(bytes: bytes, seconds: seconds / 2)
        return (count.seconds / Double(count.iterations) * 1e6, bytes, Double(bytes) / rate / 1e3, rate)
    }

    /// GB/s at which one core reads a buffer of `bytes` again and again (from the cache level that holds it), with
    /// the widest vector loads this machine's `MatVecKernel` has.
    static func readGigabytesPerSecond(bytes: Int, seconds: Double) -> Double {
        let buffer = FloatBuffer(count: max(bytes / 4, 16))
        for i in 0..<buffer.count { buffer.base[i] = Float(i % 7) }
        var sink: Float = 0
        let kernel = MatVecKernel.current
        for _ in 0..<3 { sink += kernel.readSum(buffer.base, count: buffer.count) }
        let count = repeatFor(seconds: seconds) { sink += kernel.readSum(buffer.base, count: buffer.count) }
        // The sum is used so that the reads cannot be left out.
        precondition(sink.isFinite, "read-speed sum overflowed")
        return Double(buffer.count * 4 * count.iterations) / count.seconds / 1e9
    }

    /// MB/s of the whole tokenizer pipeline on the file at `path`: UTF-8 validation, NFC, grapheme segmentation and
    /// the mapping to ids (the vocabulary is built beforehand, untimed).
    static func tokenizerMegabytesPerSecond(path: String, seconds: Double) throws -> Double {
        guard let bytes = try? WholeFile.read(path: path) else {
            throw CLIError.failed("bench: cannot read \(path); give a text with --corpus")
        }
        let reader = CorpusReader()
        let tokenizer = try Tokenizer(vocabulary: try Vocabulary(corpus: try reader.decode(bytes, name: path)))
        var failure: Error?
        let count = repeatFor(seconds: seconds) {
            do {
                _ = tokenizer.encode(try reader.decode(bytes, name: path))
            } catch { failure = error }
        }
        if let failure { throw failure }
        return Double(bytes.count * count.iterations) / count.seconds / 1e6
    }

    /// Per-keystroke latency of a `Predictor` typing `text` (its first 3,000 graphemes) one grapheme at a time, as a
    /// keyboard asks: append + 3 next graphemes; then also 5 word suggestions; then the same with personalisation
    /// learning after each word. p50 and p99 of each, microseconds.
    static func predictorLatency(model: LanguageModel, tokenizer: Tokenizer, text: String) throws -> [BenchResult] {
        let graphemes = Array(tokenizer.units(of: text).prefix(3000))
        guard graphemes.count >= 100 else { throw CLIError.failed("bench: the predictor needs a text of at least 100 graphemes; give one with --corpus") }
        let slots = 5
        var results: [BenchResult] = []
        for (name, suggestions, personalised) in [("predict append+next", false, false),
                                                  ("predict append+next+\(slots) words", true, false),
                                                  ("predict append+next+\(slots) words, personalised", true, true)] {
            let predictor = try Predictor(model: model, tokenizer: tokenizer,
                                          personalisation: personalised ? Personalisation(model: model) : nil)
            var times: [Double] = []
            times.reserveCapacity(graphemes.count)
            for grapheme in graphemes {
                let start = DispatchTime.now().uptimeNanoseconds
                predictor.append(grapheme)
                _ = predictor.nextGraphemes(k: 3)
                if suggestions { _ = predictor.completions(k: slots) }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
            times.sort()
            for (label, q) in [("p50", 0.5), ("p99", 0.99)] {
                results.append(BenchResult(item: "\(name) \(label)", value: percentile(times, q), unit: "us"))
            }
        }
        return results
    }

    /// The process's peak resident memory so far, in megabytes.
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }

    /// Runs `body` repeatedly for about `seconds`, checking the clock in growing batches to keep its cost out.
    static func repeatFor(seconds: Double, _ body: () -> Void) -> (iterations: Int, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        var iterations = 0, batch = 1
        while true {
            for _ in 0..<batch { body() }
            iterations += batch
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if elapsed >= seconds { return (iterations, elapsed) }
            batch = min(batch * 2, max(1, Int(Double(iterations) * (seconds - elapsed) / max(elapsed, 1e-9) / 2) + 1))
        }
    }
}
