/// The precision of the operands of training's matrix products (`--precision`).
///
/// Master weights, gradients, optimizer state, the cell arithmetic and every sum stay fp32 in both: bf16 rounds the
/// two operands of each product to bf16 (8 significant bits) and accumulates in fp32, which AVX512_BF16's
/// vdpbf16ps does at twice the multiply-adds of an fp32 FMA.
public enum TrainingPrecision: String, Codable, CaseIterable, Sendable {
    /// fp32 operands: BLAS sgemm for the window's products, `StepKernel` for the per-step ones.
    case fp32
    /// bf16 operands and fp32 accumulation, on charnn's own kernels (`MatrixProducts`).
    case bf16

    /// What the precision needs of the CPU.
    public var requirements: CPUFeatures {
        switch self {
        case .fp32: []
        case .bf16: [.avx512f, .avx512bw, .avx512bf16]
        }
    }

    /// The precisions this machine trains in: what `charnn bench` measures and the tests run.
    public static var runnable: [TrainingPrecision] { allCases.filter { (try? $0.check()) != nil } }

    /// Throws `ModelError.unsupportedPrecision` unless a CPU with `features` runs this precision.
    public func check(features: CPUFeatures = .current) throws(ModelError) {
        guard features.isSuperset(of: requirements) else {
            throw .unsupportedPrecision("\(rawValue) training needs a CPU with AVX512_BF16 (Cooper Lake, Sapphire Rapids, Zen 4 or newer); this one has \(features.summary): train in fp32 (--precision fp32, which also continues a bf16 run)")
        }
    }
}
