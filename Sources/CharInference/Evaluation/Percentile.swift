/// The nearest-rank percentile of `sorted` (ascending): the smallest value with at least a fraction `q` of the
/// values at or below it; 0 for no values. How `charnn eval --keyboard` and `charnn bench` report latencies.
public func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
