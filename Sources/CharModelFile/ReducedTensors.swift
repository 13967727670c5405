import CharModel

/// How a reduced-precision model file stores its parameters (`ModelFile.precision`, metadata `weights`: "bf16" or
/// "int8"; an fp32 file has no such entry):
///
///     matrices (embedding.weight, lstm.weight_ih_l{k}, lstm.weight_hh_l{k}, decoder.weight):
///         bf16:  BF16, the same name and shape
///         int8:  I8 q [rows, cols] under the same name, and F32 <name>.scale [rows]: w' = scale[j] * q[j][k]
///     vectors (the biases): F32, as in an fp32 file
///
/// (see `WeightPrecision` for how w is reduced). Reading widens every tensor back to fp32, so a loaded model's
/// parameters are the reduced values w' exactly; its inference kernels read them reduced again, which gives the
/// stored values back.
enum ReducedTensors {
    /// The suffix of an int8 matrix's scale tensor.
    static let scaleSuffix = ".scale"

    /// The tensors of `values` (a model's parameters in `layout` order) in `precision`.
    static func encode(_ values: [Float], layout: ParameterLayout, precision: WeightPrecision) throws -> [SafetensorsTensor] {
        var tensors: [SafetensorsTensor] = []
        for spec in layout.tensors {
            let slice = Array(values[spec.offset..<spec.offset + spec.count])
            guard precision.reduces(spec) else {
                tensors.append(try SafetensorsTensor(name: spec.name, shape: spec.shape, floats: slice))
                continue
            }
            guard slice.allSatisfy(\.isFinite) else { throw ReducedPrecisionError.nonFiniteWeight(tensor: spec.name) }
            try slice.withUnsafeBufferPointer { w in
                switch precision {
                case .fp32:
                    preconditionFailure("fp32 reduces no tensor")
                case .bf16:
                    tensors.append(try SafetensorsTensor(name: spec.name, shape: spec.shape, values: .bf16(WeightPrecision.bf16(w))))
                case .int8:
                    let (q, scales) = WeightPrecision.int8(w, rows: spec.shape[0], cols: spec.shape[1])
                    tensors.append(try SafetensorsTensor(name: spec.name, shape: spec.shape, values: .i8(q)))
                    tensors.append(try SafetensorsTensor(name: spec.name + scaleSuffix, shape: [spec.shape[0]], floats: scales))
                }
            }
        }
        return tensors
    }

    /// The parameters of `layout` from `file`'s tensors in `precision`, widened to fp32.
    static func decode(_ file: CheckpointFile, layout: ParameterLayout, precision: WeightPrecision) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(layout.count)
        for spec in layout.tensors {
            guard precision.reduces(spec) else {
                values += try file.floats(spec.name, shape: spec.shape)
                continue
            }
            let tensor = try file.tensor(named: spec.name)
            func damaged(_ expected: String) -> CheckpointError {
                .damaged(path: file.path, problem: "tensor '\(spec.name)' is \(tensor.dtype.rawValue) \(tensor.shape), expected \(expected) \(spec.shape) in a \(precision.rawValue) model")
            }
            guard tensor.shape == spec.shape else { throw damaged(precision == .bf16 ? "BF16" : "I8") }
            switch (precision, tensor.values) {
            case let (.bf16, .bf16(bits)):
                values += WeightPrecision.widened(bf16: bits)
            case let (.int8, .i8(q)):
                let scales = try file.floats(spec.name + scaleSuffix, shape: [spec.shape[0]])
                values += WeightPrecision.widened(int8: q, scales: scales, cols: spec.shape[1])
            default:
                throw damaged(precision == .bf16 ? "BF16" : "I8")
            }
        }
        return values
    }
}
