import CKernels

/// How a model's weight matrices are stored for inference: fp32, or reduced to bf16 or int8 to read fewer bytes
/// per step. Products always accumulate in fp32; biases and the recurrent state stay fp32.
///
///     bf16:  w' = the top 16 bits of w, rounded to nearest even (relative error at most 2^-9)
///     int8:  s_j = max_k |W_jk| / 127 for each row j,  q_jk = round(W_jk / s_j),  w'_jk = s_j q_jk
///            (error at most s_j / 2 per weight)
///
/// A reduced model holds w' as its fp32 parameters, so training code, evaluation and the packed kernels all see the
/// same function; reducing w' again gives w' back, which is how a model loaded from a reduced file is packed.
public enum WeightPrecision: String, CaseIterable, Sendable, Codable {
    /// Float32, as trained.
    case fp32
    /// bfloat16: half the bytes.
    case bf16
    /// int8 with an fp32 scale per row: a quarter of the bytes.
    case int8

    /// Bytes per stored weight.
    public var byteWidth: Int {
        switch self {
        case .fp32: 4
        case .bf16: 2
        case .int8: 1
        }
    }

    /// The element type the C kernels take.
    var kernelType: Int32 {
        switch self {
        case .fp32: Int32(CHARNN_WEIGHTS_F32)
        case .bf16: Int32(CHARNN_WEIGHTS_BF16)
        case .int8: Int32(CHARNN_WEIGHTS_I8)
        }
    }

    /// The bf16 encoding of each of `values`.
    public static func bf16(_ values: UnsafeBufferPointer<Float>) -> [UInt16] {
        values.map(charnn_bf16_from_float)
    }

    /// The floats bf16 `values` stand for.
    public static func widened(bf16 values: [UInt16]) -> [Float] {
        values.map(charnn_float_from_bf16)
    }

    /// `values` [rows, cols] as int8 with one scale per row (see the type's documentation).
    public static func int8(_ values: UnsafeBufferPointer<Float>, rows: Int, cols: Int) -> (values: [Int8], scales: [Float]) {
        precondition(values.count == rows * cols, "int8 of \(values.count) values as [\(rows),\(cols)]")
        guard let base = values.baseAddress else { return ([], Array(repeating: 0, count: rows)) }
        let scales = (0..<rows).map { charnn_i8_scale(base + $0 * cols, Int32(cols)) }
        let quantised = (0..<rows * cols).map { charnn_i8_from_float(base[$0], scales[$0 / max(cols, 1)]) }
        return (quantised, scales)
    }

    /// The floats int8 `values` [rows, cols] with row `scales` [rows] stand for: s_j q_jk.
    public static func widened(int8 values: [Int8], scales: [Float], cols: Int) -> [Float] {
        values.indices.map { scales[$0 / max(cols, 1)] * Float(values[$0]) }
    }

    /// `values` [rows, cols] as this precision stores them, back in fp32: w' of the type's documentation.
    public func reduced(_ values: UnsafeBufferPointer<Float>, rows: Int, cols: Int) -> [Float] {
        switch self {
        case .fp32:
            return Array(values)
        case .bf16:
            return Self.widened(bf16: Self.bf16(values))
        case .int8:
            let (quantised, scales) = Self.int8(values, rows: rows, cols: cols)
            return Self.widened(int8: quantised, scales: scales, cols: cols)
        }
    }

    /// Whether this precision stores the tensor `spec`: the matrices (the embedding, the LSTM weights, the decoder
    /// weight); vectors (the biases) stay fp32.
    public func reduces(_ spec: TensorSpec) -> Bool { self != .fp32 && spec.shape.count == 2 }

    /// A model's parameters `values` (in `layout` order) with every tensor this precision reduces replaced by w'.
    public func reducedParameters(_ values: [Float], layout: ParameterLayout) -> [Float] {
        var result = values
        values.withUnsafeBufferPointer { all in
            for spec in layout.tensors where reduces(spec) {
                let tensor = UnsafeBufferPointer(rebasing: all[spec.offset..<spec.offset + spec.count])
                result.replaceSubrange(spec.offset..<spec.offset + spec.count, with: reduced(tensor, rows: spec.shape[0], cols: spec.shape[1]))
            }
        }
        return result
    }
}
