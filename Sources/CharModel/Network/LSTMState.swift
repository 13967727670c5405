/// The recurrent state (h, c) of every layer for B parallel streams: what a window starts from and hands on.
public struct LSTMState: Equatable, Sendable {
    /// L.
    public let layers: Int
    /// B.
    public let batchSize: Int
    /// H.
    public let hiddenSize: Int
    /// [L, B, H]
    public var h: [Float]
    /// [L, B, H]
    public var c: [Float]

    /// The zero state.
    public init(layers: Int, batchSize: Int, hiddenSize: Int) {
        self.layers = layers
        self.batchSize = batchSize
        self.hiddenSize = hiddenSize
        h = Array(repeating: 0, count: layers * batchSize * hiddenSize)
        c = h
    }

    /// Sets h and c to zero, as at the start of an epoch.
    public mutating func reset() {
        for i in h.indices { h[i] = 0; c[i] = 0 }
    }

    /// Values per layer: B*H.
    var layerCount: Int { batchSize * hiddenSize }
}
