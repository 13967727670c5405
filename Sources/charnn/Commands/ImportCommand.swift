import ArgumentParser
import CharModelFile
import Foundation

/// `charnn import`: a PyTorch model (safetensors of the state_dict, PyTorch's names) as a charnn model file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a model trained in PyTorch into a charnn model file.",
        discussion: """
        The file holds an nn.Embedding, nn.LSTM and nn.Linear state_dict under PyTorch's names (embedding.weight, \
        lstm.weight_ih_l0, ..., decoder.weight, decoder.bias), as safetensors' save_file writes it. Its vocabulary \
        is the token of each index, in index order, as a JSON list of strings: in the file's 'vocabulary' metadata \
        or given with --vocabulary. charnn reads such a file directly too; importing adds charnn's metadata and a checksum.
        """
    )

    @Argument(help: ArgumentHelp("The PyTorch model.", valueName: "file")) var source: String
    @Option(help: ArgumentHelp("The model's tokens in index order, as a JSON list of strings, when its file has none.", valueName: "file"))
    var vocabulary: String?
    @Option(help: ArgumentHelp("The charnn model file to write.", valueName: "file")) var out: String

    func run() throws {
        let tokens = try vocabulary.map { try ModelFile.readTokens(from: URL(fileURLWithPath: $0)) }
        let (model, warnings) = try ModelFile.read(from: URL(fileURLWithPath: source), vocabulary: tokens)
        for warning in warnings { log("warning: \(source): \(warning)") }
        try model.write(to: URL(fileURLWithPath: out))
        let c = model.config
        log("imported \(source): L=\(c.layers) H=\(c.hiddenSize) E=\(c.embeddingSize) V=\(c.vocabularySize) (<unk> + \(c.vocabularySize - 1) tokens) into \(out)")
    }
}
