/// The contiguous train, validation and test parts of a corpus, as ranges of its ids.
public struct CorpusSplits: Equatable, Sendable {
    /// The first part: what the model trains on.
    public let train: Range<Int>
    /// Right after it: what training evaluates on.
    public let validation: Range<Int>
    /// The rest: held out for `charnn eval --split test`.
    public let test: Range<Int>

    /// Cuts `count` ids at `trainFraction` and `trainFraction + validationFraction`.
    public init(count: Int, trainFraction: Double, validationFraction: Double) {
        let trainEnd = Int(Double(count) * trainFraction)
        let validationEnd = min(count, trainEnd + Int(Double(count) * validationFraction))
        train = 0..<trainEnd
        validation = trainEnd..<validationEnd
        test = validationEnd..<count
    }
}
