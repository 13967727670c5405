import ArgumentParser

/// What `charnn bench` can measure.
enum BenchItem: String, CaseIterable, ExpressibleByArgument, Codable {
    case gemm, train, sample, predict, tokenize

    /// Whether it is measured once per hidden size.
    var dependsOnModel: Bool { self == .train || self == .sample }
}
