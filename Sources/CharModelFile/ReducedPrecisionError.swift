import CharModel

/// Why a reduced-precision model file cannot be used as asked.
public enum ReducedPrecisionError: Error, CustomStringConvertible, Equatable {
    /// Training (a new run from it, or a resume) needs fp32 weights; bf16 and int8 files are for inference.
    case training(precision: WeightPrecision)
    /// Its weights are not all finite, so they have no int8 or bf16 form.
    case nonFiniteWeight(tensor: String)

    /// One line saying what is wrong and what to do.
    public var description: String {
        switch self {
        case let .training(precision):
            "the model holds \(precision.rawValue) weights, which are for inference only; train from the fp32 checkpoint it was exported from"
        case let .nonFiniteWeight(tensor):
            "tensor '\(tensor)' holds a NaN or an infinity, which has no reduced-precision form; export an earlier checkpoint"
        }
    }
}
