/// One named tensor inside the flat parameter buffer.
public struct TensorSpec: Equatable, Sendable {
    /// PyTorch's name for it, e.g. `lstm.weight_ih_l0`.
    public let name: String
    /// Its shape, e.g. [4H, E].
    public let shape: [Int]
    /// Index of its first value in the flat buffer.
    public let offset: Int
    /// Number of values.
    public var count: Int { shape.reduce(1, *) }
}
