import ArgumentParser
import CharModel
import CharInference
import CharTraining
import Foundation

/// `charnn bench`: training throughput (in each precision the CPU trains in), sampling latency (with fp32, bf16 and
/// int8 weights, each beside its floor: the weight bytes a step reads over the speed one core reads that many), and
/// the machine's sgemm ceiling. Each kind of measurement runs in a child process of its own, so that its peak
/// resident memory is its own (the precisions of one kind share theirs).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and sampling speed and memory (run from a release build).",
        discussion: """
        Each measurement runs in a fresh child process, reporting its own peak resident memory. \
        Training times forward, backward, clipping and an Adam step on random tokens, as PyTorch's peer script does.
        """
    )

    @Option(name: .customLong("hidden"), parsing: .upToNextOption, help: "Hidden sizes H to measure.")
    var hiddenSizes: [Int] = [128, 256, 512]
    @Option(help: "Number of LSTM layers L.") var layers = 2
    @Option(name: .customLong("batch-size"), help: "Streams per batch B.") var batchSize = 50
    @Option(name: .customLong("seq-length"), help: "Steps per window S.") var sequenceLength = 50
    @Option(name: .customLong("vocab-size"), help: "Vocabulary size V.") var vocabularySize = 65
    @Option(help: "Seconds to spend on each measurement.") var seconds = 4.0
    @Option(help: "BLAS threads (default: the number of cores).") var threads: Int?
    @Option(parsing: .upToNextOption, help: "Measurements to run: gemm, train, sample, predict, tokenize.") var only: [BenchItem] = BenchItem.allCases
    @OptionGroup(title: "The model the predictor is timed with") var model: ModelSource
    @Option(help: ArgumentHelp("The text the tokenizer is timed on.", valueName: "file"))
    var corpus = "../shared/corpora/tinyshakespeare.txt"
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: .hidden) var item: BenchItem?

    mutating func run() throws {
        if let item {
            try runItem(item)
            return
        }
        logBLASWarnings()
        var results: [BenchResult] = []
        for kind in only {
            let hiddens = kind.dependsOnModel ? hiddenSizes : [0]
            for h in hiddens {
                log("bench: \(kind.rawValue)\(h > 0 ? " H=\(h)" : "")...")
                results += try measureInChild(kind, hidden: h)
            }
        }
        results = BenchResult.addingProductRates(results)
        if json {
            try printJSON(results)
        } else {
            print(BenchResult.table(results))
        }
    }

    private func measureInChild(_ kind: BenchItem, hidden: Int) throws -> [BenchResult] {
        let process = Process()
        process.executableURL = CharnnExecutable.url
        var arguments = ["bench", "--item", kind.rawValue, "--hidden", "\(max(hidden, 1))", "--layers", "\(layers)",
                         "--batch-size", "\(batchSize)", "--seq-length", "\(sequenceLength)",
                         "--vocab-size", "\(vocabularySize)", "--seconds", "\(seconds)", "--corpus", corpus]
        if let threads { arguments += ["--threads", "\(threads)"] }
        if let path = model.model { arguments += ["--model", path] }
        if let vocabulary = model.vocabulary { arguments += ["--vocabulary", vocabulary] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError.failed("bench: the \(kind.rawValue) measurement failed (exit \(process.terminationStatus))")
        }
        return try JSONDecoder().decode([BenchResult].self, from: output)
    }

    private func runItem(_ kind: BenchItem) throws {
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        setBLASThreads(threads)
        let h = hiddenSizes[0]
        let rows: [BenchResult]
        switch kind {
        case .gemm:
            var result = BenchResult(item: "gemm", value: Benchmarks.gemmGFLOPS(n: 2048, seconds: seconds), unit: "GFLOP/s")
            let backend = try BLASBackend.current()
            result.blas = backend.kernels
            result.cpu = backend.features.summary
            result.stepKernel = StepKernel.current.rawValue
            rows = [result]
        case .train:
            let config = ModelConfig(vocabularySize: vocabularySize, embeddingSize: h, hiddenSize: h, layers: layers)
            let measured = try TrainingPrecision.runnable.map { precision in
                let measured = try Benchmarks.training(config: config, batchSize: batchSize, steps: sequenceLength,
                                                       threads: threads, precision: precision, seconds: seconds)
                var row = BenchResult(item: precision == .fp32 ? "train" : "train \(precision.rawValue)",
                                      value: measured.charsPerSecond, unit: "chars/s")
                (row.batchSize, row.sequenceLength, row.flopsPerChar) = (batchSize, sequenceLength, measured.flopsPerChar)
                return row
            }
            rows = Self.model(measured, hidden: h, layers: layers)
        case .sample:
            let config = ModelConfig(vocabularySize: vocabularySize, embeddingSize: h, hiddenSize: h, layers: layers)
            var measuredRows: [BenchResult] = []
            for precision in WeightPrecision.allCases {
                let measured = try Benchmarks.sampling(config: config, precision: precision, seconds: seconds)
                let name = precision == .fp32 ? "sample" : "sample \(precision.rawValue)"
                measuredRows.append(BenchResult(item: name, value: measured.microseconds, unit: "us/char"))
                measuredRows.append(BenchResult(item: "\(name) floor (\(measured.bytesPerStep / 1024) KB at \(String(format: "%.0f", measured.gigabytesPerSecond)) GB/s)",
                                                value: measured.floorMicroseconds, unit: "us/char"))
            }
            rows = Self.model(measuredRows, hidden: h, layers: layers)
        case .predict:
            let loaded = try model.load(default: .keyboard)
            let text = String(decoding: (try? WholeFile.read(path: corpus)) ?? [], as: UTF8.self)
            let latency = try Benchmarks.predictorLatency(model: loaded.model, tokenizer: loaded.tokenizer, text: text)
            rows = Self.model(latency, hidden: loaded.model.config.hiddenSize, layers: loaded.model.config.layers)
        case .tokenize:
            var result = BenchResult(item: "tokenize", value: try Benchmarks.tokenizerMegabytesPerSecond(path: corpus, seconds: seconds), unit: "MB/s")
            result.corpus = corpus
            rows = [result]
        }
        let memory = Benchmarks.peakResidentMegabytes()
        try printRows(rows.map { row in
            var row = row
            row.peakMemoryMB = memory
            return row
        })
    }

    /// `rows` naming the model they were measured on.
    private static func model(_ rows: [BenchResult], hidden: Int, layers: Int) -> [BenchResult] {
        rows.map { row in
            var row = row
            (row.hidden, row.layers) = (hidden, layers)
            return row
        }
    }

    /// The child's answer to its parent: the rows as one JSON array.
    private func printRows(_ rows: [BenchResult]) throws {
        print(String(decoding: try JSONEncoder().encode(rows), as: UTF8.self))
    }
}
