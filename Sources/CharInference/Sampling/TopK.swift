/// CharInference's one top-k selection: the k best of a set of candidates under a strict order `ranksAbove(a, b)`
/// ("a ranks above b"), best first. The sampler's top-k and top-p, its greedy argmax, the predictor's next graphemes,
/// the completion search's best completions and evaluation's top-1 / top-5 all select with it.
///
/// A value is a running selection over a stream of candidates (`insert`, O(k) each): it keeps the k best seen so
/// far, sorted, and a candidate that ties with one already kept ranks after it (ties: the one inserted first).
/// `init` reserves room for k + 1 elements and `removeAll` keeps the storage, so inserting does not allocate once
/// the storage has grown to k + 1. When the candidates are all at hand, `select` picks the k best in place with a
/// heap instead (no allocation, O(n + k log n)); `best` is the k = 1 case and `rank` tells how far from the top one
/// candidate is.
///
/// For ids scored by a buffer (logits, weights), `ranksAbove(_:_:by:)` is the order: the higher score, ties by the
/// lower id.
struct TopK<Element> {
    /// How many it keeps.
    private(set) var k: Int
    /// The best candidates inserted so far, best first; at most `k`.
    private(set) var elements: [Element] = []
    private let ranksAbove: (Element, Element) -> Bool

    /// An empty selection of the `k` best under `ranksAbove`.
    init(k: Int, ranksAbove: @escaping (Element, Element) -> Bool) {
        self.k = k
        self.ranksAbove = ranksAbove
        elements.reserveCapacity(k + 1)
    }

    /// Forgets every candidate and keeps the `k` best from now on, keeping the storage.
    mutating func removeAll(k: Int) {
        self.k = k
        elements.removeAll(keepingCapacity: true)
    }

    /// The k-th best when k are kept, else nil: what a new candidate must rank above to be kept.
    var cutoff: Element? { elements.count == k ? elements.last : nil }

    /// Whether `candidate` would be kept: fewer than k are kept, or it ranks above the k-th.
    func admits(_ candidate: Element) -> Bool {
        guard let cutoff else { return elements.count < k }
        return ranksAbove(candidate, cutoff)
    }

    /// Keeps `candidate` if it is among the k best so far, after the kept ones it does not rank above.
    mutating func insert(_ candidate: Element) {
        guard admits(candidate) else { return }
        var position = elements.count
        while position > 0 && ranksAbove(candidate, elements[position - 1]) { position -= 1 }
        elements.insert(candidate, at: position)
        if elements.count > k { elements.removeLast() }
    }
}

extension TopK {
    /// Moves the `count` best of `candidates` to its end, best last (the i-th best ends up at index n - 1 - i), by
    /// popping a max-heap built in place over the whole buffer: O(n + count log n) and, unlike a sort, no scratch
    /// allocation. The rest of the buffer is left in heap order, a permutation of what was there.
    static func select(_ count: Int, in candidates: UnsafeMutableBufferPointer<Element>,
                       ranksAbove above: (Element, Element) -> Bool) {
        let n = candidates.count
        func siftDown(_ start: Int, _ end: Int) {
            var i = start
            while true {
                var child = 2 * i + 1
                guard child < end else { return }
                if child + 1 < end && above(candidates[child + 1], candidates[child]) { child += 1 }
                guard above(candidates[child], candidates[i]) else { return }
                candidates.swapAt(i, child)
                i = child
            }
        }
        for i in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(i, n) }
        for popped in 0..<count {
            candidates.swapAt(0, n - 1 - popped)
            siftDown(0, n - 1 - popped)
        }
    }

    /// The best of `candidates`, the earliest among ties (a later one replaces the best so far only when it ranks
    /// above it); nil when there are none.
    static func best(among candidates: some Sequence<Element>, ranksAbove above: (Element, Element) -> Bool) -> Element? {
        var iterator = candidates.makeIterator()
        guard var best = iterator.next() else { return nil }
        while let candidate = iterator.next() {
            if above(candidate, best) { best = candidate }
        }
        return best
    }

    /// How many of `candidates` rank above `target`: 0 when it is the best, below k when it is among the k best.
    static func rank(of target: Element, among candidates: some Sequence<Element>,
                     ranksAbove above: (Element, Element) -> Bool) -> Int {
        var rank = 0
        for candidate in candidates where above(candidate, target) { rank += 1 }
        return rank
    }
}

/// Whether id `a` ranks above id `b` by `scores`: the higher score, or on equal scores the lower id. A NaN score
/// ranks above no other and no other above it.
@inline(__always)
func ranksAbove<Score: FloatingPoint>(_ a: Int, _ b: Int, by scores: UnsafeBufferPointer<Score>) -> Bool {
    scores[a] != scores[b] ? scores[a] > scores[b] : a < b
}
