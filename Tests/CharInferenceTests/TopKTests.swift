import Testing
@testable import CharInference

@Suite("Top-k selection")
struct TopKTests {
    /// Scores with many ties, and the expected order: score descending, ties by the lower index.
    static func scores(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomSource(seed: seed)
        return (0..<n).map { _ in Float(Int(rng.nextUniform(bound: 4).rounded())) }
    }

    static func sortedIDs(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    @Test("inserting keeps the k best, best first, ties in insertion order", arguments: [0, 1, 3, 10, 40])
    func insert(k: Int) {
        for seed: UInt64 in 1...5 {
            let scores = Self.scores(40, seed: seed)
            var top = TopK<Int>(k: k) { scores[$0] > scores[$1] }
            for id in scores.indices { top.insert(id) }
            #expect(top.elements == Array(Self.sortedIDs(scores).prefix(k)))
        }
    }

    @Test("selecting in place leaves the k best at the end, best last, whatever order the buffer was in",
          arguments: [0, 1, 3, 10, 40])
    func select(k: Int) {
        for seed: UInt64 in 1...5 {
            let scores = Self.scores(40, seed: seed)
            var ids = Array(Int32(0)..<40)
            for round in 0..<3 {
                ids.withUnsafeMutableBufferPointer { ids in
                    scores.withUnsafeBufferPointer { w in TopK.select(k, in: ids) { ranksAbove(Int($0), Int($1), by: w) } }
                }
                #expect(ids.reversed().prefix(k).map { Int($0) } == Array(Self.sortedIDs(scores).prefix(k)), "round \(round)")
                #expect(Set(ids).count == 40)
            }
        }
    }

    @Test("best and rank follow the same order: the higher score, ties to the lower id")
    func bestAndRank() {
        let scores: [Float] = [1, 3, 2, 3, .nan, 0]
        scores.withUnsafeBufferPointer { w in
            let order = { (a: Int, b: Int) in ranksAbove(a, b, by: w) }
            #expect(TopK.best(among: 0..<6, ranksAbove: order) == 1)
            #expect(TopK.best(among: 0..<0, ranksAbove: order) == nil)
            #expect((0..<6).map { TopK.rank(of: $0, among: 0..<6, ranksAbove: order) } == [3, 0, 2, 1, 0, 4])
        }
    }

    @Test("cutoff and admits: what a candidate must beat once k are kept")
    func cutoff() {
        var top = TopK<Double>(k: 2) { $0 > $1 }
        #expect(top.cutoff == nil && top.admits(0))
        top.insert(0.5)
        top.insert(0.25)
        #expect(top.cutoff == 0.25)
        #expect(!top.admits(0.25) && top.admits(0.3))
        top.insert(0.75)
        #expect(top.elements == [0.75, 0.5])
        top.removeAll(k: 1)
        #expect(top.elements.isEmpty && top.k == 1)
    }
}
