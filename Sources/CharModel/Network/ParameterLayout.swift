
/// Where every parameter lives in one flat Float32 buffer, under PyTorch's names and in PyTorch's order
/// (`nn.Embedding`, `nn.LSTM`, `nn.Linear`), so that a checkpoint's tensors load into PyTorch by name.
///
/// Parameters and gradients share this layout: zeroing, clipping, the optimizer step and export are each one loop.
public struct ParameterLayout: Equatable, Sendable {
    /// The tensors in buffer order.
    public let tensors: [TensorSpec]
    /// Total number of parameters.
    public let count: Int

    /// The layout of a model with `config`.
    public init(config: ModelConfig) {
        let (v, e, h) = (config.vocabularySize, config.embeddingSize, config.hiddenSize)
        var shapes: [(String, [Int])] = [("embedding.weight", [v, e])]
        for k in 0..<config.layers {
            shapes.append(("lstm.weight_ih_l\(k)", [4 * h, config.inputSize(ofLayer: k)]))
            shapes.append(("lstm.weight_hh_l\(k)", [4 * h, h]))
            shapes.append(("lstm.bias_ih_l\(k)", [4 * h]))
            shapes.append(("lstm.bias_hh_l\(k)", [4 * h]))
        }
        shapes.append(("decoder.weight", [v, h]))
        shapes.append(("decoder.bias", [v]))
        var offset = 0
        var tensors: [TensorSpec] = []
        for (name, shape) in shapes {
            let spec = TensorSpec(name: name, shape: shape, offset: offset)
            tensors.append(spec)
            offset += spec.count
        }
        self.tensors = tensors
        count = offset
    }

    /// The tensor called `name`, if the layout has one.
    public func tensor(named name: String) -> TensorSpec? { tensors.first { $0.name == name } }
}
