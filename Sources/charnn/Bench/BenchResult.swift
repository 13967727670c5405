import Foundation

/// One measurement.
struct BenchResult: Codable {
    var item: String
    var hidden: Int?
    var layers: Int?
    var batchSize: Int?
    var sequenceLength: Int?
    var value: Double
    var unit: String
    var peakMemoryMB: Double?
    var corpus: String?
    /// For the sgemm ceiling: the BLAS and the kernels it ran, e.g. "OpenBLAS Cooperlake".
    var blas: String?
    /// For the sgemm ceiling: the CPU features the kernels were chosen from, e.g. "AVX-512, AVX512_BF16".
    var cpu: String?
    /// For the sgemm ceiling: the kernel of training's per-step products (`StepKernel`), e.g. "AVX-512".
    var stepKernel: String?
    /// For training: the FLOPs of its matrix products per character (`DataParallelPass.productFLOPs`).
    var flopsPerChar: Double?
    /// For the rate of training's products: that rate over the sgemm ceiling measured in the same run.
    var ofCeiling: Double?

    init(item: String, value: Double, unit: String) {
        self.item = item
        self.value = value
        self.unit = unit
    }

    /// `results` with, after each training row, the rate of its matrix products in GFLOP/s, as a share of the
    /// sgemm ceiling when the run measured it too: how much of what the machine's BLAS reaches training reaches.
    static func addingProductRates(_ results: [BenchResult]) -> [BenchResult] {
        let ceiling = results.first { $0.item == "gemm" }?.value
        return results.flatMap { row -> [BenchResult] in
            guard let flops = row.flopsPerChar else { return [row] }
            var rate = row
            (rate.item, rate.value, rate.unit) = (row.item + " products", row.value * flops / 1e9, "GFLOP/s")
            (rate.flopsPerChar, rate.peakMemoryMB) = (nil, nil)
            rate.ofCeiling = ceiling.map { rate.value / $0 }
            return [row, rate]
        }
    }

    static func table(_ results: [BenchResult]) -> String {
        let width = max(34, results.map { label($0).count }.max() ?? 0) + 2
        var lines = ["measurement".padding(toLength: width, withPad: " ", startingAt: 0) + "       value  unit       peak memory"]
        for r in results {
            let memory = r.peakMemoryMB.map { String(format: "%.0f MB", $0) } ?? ""
            lines.append(label(r).padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: "%12.1f", r.value) + "  " + r.unit.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + memory)
        }
        return lines.joined(separator: "\n")
    }

    /// The measurement's name with its shape, e.g. `train L=2 H=256 B=50 S=50`.
    private static func label(_ r: BenchResult) -> String {
        var name = r.item
        if let h = r.hidden, let l = r.layers { name += " L=\(l) H=\(h)" }
        if let b = r.batchSize, let s = r.sequenceLength { name += " B=\(b) S=\(s)" }
        if let share = r.ofCeiling { name += String(format: " (%.0f%% of gemm)", share * 100) }
        if let blas = r.blas {
            name += " n=2048 (\(r.cpu.map { $0 + "; " } ?? "")\(blas)\(r.stepKernel.map { "; \($0) step kernel" } ?? ""))"
        }
        return name
    }
}
