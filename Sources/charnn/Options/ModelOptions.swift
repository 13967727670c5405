import ArgumentParser
import CharModel

/// The network's shape on the command line.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hidden size H of each LSTM layer (default \(ModelConfig.defaultHiddenSize)).", valueName: "n"))
    var hiddenSize: Int?
    @Option(help: ArgumentHelp("Number of stacked LSTM layers L (default \(ModelConfig.defaultLayers)).", valueName: "n"))
    var layers: Int?
    @Option(help: ArgumentHelp("Embedding size E (default: the hidden size).", valueName: "n")) var embeddingSize: Int?
    @Option(help: ArgumentHelp("Dropout between layers, in [0, 1) (default \(ModelConfig.defaultDropout)).", valueName: "p"))
    var dropout: Float?
    @Option(help: ArgumentHelp("Dropout before the decoder, in [0, 1) (default \(ModelConfig.defaultOutputDropout)).", valueName: "p"))
    var outputDropout: Float?
    @Option(help: ArgumentHelp("Weight dropout on W_hh, one mask per window, in [0, 1) (default \(ModelConfig.defaultWeightDrop)).",
                               valueName: "p"))
    var weightDrop: Float?

    /// Checks what `ModelConfig.validate` cannot attribute: an unset embedding size follows the hidden size, so a
    /// hidden size of 0 would otherwise be reported as a bad embedding size.
    func validate() throws {
        if let hiddenSize, hiddenSize < 1 {
            throw CLIError.invalidValue(option: "--hidden-size", value: "\(hiddenSize)", expected: "at least 1")
        }
    }

    /// The flags given whose values differ from `saved`, the configuration of the checkpoint being continued.
    func conflicts(with saved: ModelConfig) -> [String] {
        var result: [String] = []
        if let hiddenSize, hiddenSize != saved.hiddenSize { result.append("--hidden-size") }
        if let layers, layers != saved.layers { result.append("--layers") }
        if let embeddingSize, embeddingSize != saved.embeddingSize { result.append("--embedding-size") }
        if let dropout, dropout != saved.dropout { result.append("--dropout") }
        if let outputDropout, outputDropout != saved.outputDropout { result.append("--output-dropout") }
        if let weightDrop, weightDrop != saved.weightDrop { result.append("--weight-drop") }
        return result
    }

    func config(vocabularySize: Int) -> ModelConfig {
        let h = hiddenSize ?? ModelConfig.defaultHiddenSize
        return ModelConfig(vocabularySize: vocabularySize, embeddingSize: embeddingSize ?? h, hiddenSize: h,
                           layers: layers ?? ModelConfig.defaultLayers, dropout: dropout ?? ModelConfig.defaultDropout,
                           outputDropout: outputDropout ?? ModelConfig.defaultOutputDropout,
                           weightDrop: weightDrop ?? ModelConfig.defaultWeightDrop)
    }
}
