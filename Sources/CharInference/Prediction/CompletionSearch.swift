import CharModel

/// Best-first search for the k most likely word completions, over a pool of inference states allocated once.
///
/// A partial completion s = c_1..c_n (graphemes that each continue the word, see `WordEndRules`) has probability
/// P(s) = Π p(c_i | context, c_1..c_{i-1}). Completing it costs one model step, which gives the distribution of the
/// grapheme after it, and so its score P(s) * E(s), where E(s) is the mass of the graphemes that would end the word
/// there. Children of s score at most P(s) * p(c), and any score below s is at most P(s); so expanding partial
/// completions in decreasing P(s) and stopping once the k-th best score reaches the best unexpanded P(s) yields
/// exactly the k best completions. `budget` caps the partial completions one search expands; a search that hits it
/// returns the best completions found so far and says so (`isExact == false`).
///
/// Expanding needs the partial completion's state, one model step from its parent's. When the best candidate has
/// none yet, the search steps it together with the next best candidates still above the k-th best score, up to
/// `batchSize` (4 by default) in one batched step (`LanguageModel.step(tokens:states:batch:delta:)`), which reads
/// the weights once for all of them; the others keep their states for when their turn comes. The expansions, their
/// order and so the results are exactly those of stepping one candidate at a time (a batched step gives each stream
/// its single step bit for bit); a state stepped ahead for a candidate that is never expanded costs a row of the
/// batched product, not a read of the weights.
///
/// `<unk>` neither continues nor ends a word: its probability mass is left out of both.
final class CompletionSearch {
    /// Candidates stepped together by default: 4 rows are one tile of the AVX-512 kernel, so each weight is still
    /// read once per step.
    static let defaultBatchSize = 4

    /// A completion the search has expanded: its last grapheme, its parent, its probability, and its state's slot in
    /// the pool.
    private struct Node {
        var parent: Int32
        var token: Int32
        var length: Int32
        var lastIsSimple: Bool
        var probability: Double
        var slot: Int32
    }

    /// A partial completion waiting to be expanded: `parent` (a node, or -1 for the root) followed by `token`; `slot`
    /// is its state's place in the pool once it has been stepped, -1 before.
    private struct Candidate {
        var parent: Int32
        var token: Int32
        var probability: Double
        var slot: Int32 = -1
    }

    let model: LanguageModel
    /// The user's change to the decoder, applied at every step; nil for the shared model alone.
    let delta: DecoderDelta?
    let rules: WordEndRules
    /// Most partial completions expanded per search.
    let budget: Int
    /// Most candidates stepped together.
    let batchSize: Int
    /// Candidates less likely than this (as the next grapheme) are classified by `WordEndRules.guessEnds`.
    let exactThreshold: Double
    /// States of stepped candidates: each batched step of the at most `budget` takes up to `batchSize` slots.
    private let pool: [InferenceState]
    private var usedSlots = 0
    private let batch: InferenceBatch
    /// The candidates of the batched step being taken, and their tokens.
    private var picked: [Candidate] = []
    private var pickedTokens: [Int32] = []
    /// Candidates popped while picking that already have their states, to be pushed back.
    private var passed: [Candidate] = []
    private var nodes: [Node] = []
    private var frontier: [Candidate] = []
    /// The best complete completions so far: (node or -1 for the root, score), best first (ties: the one found first).
    private var best = TopK<(node: Int32, score: Double)>(k: 0) { $0.score > $1.score }
    private var probabilities: [Double]

    /// Partial completions the last search expanded (each one model step of its stream), and whether it finished
    /// before the budget.
    private(set) var lastSteps = 0
    private(set) var lastIsExact = true

    init(model: LanguageModel, delta: DecoderDelta?, rules: WordEndRules, budget: Int, exactThreshold: Double,
         batchSize: Int = defaultBatchSize) {
        self.model = model
        self.delta = delta
        self.rules = rules
        self.budget = budget
        self.batchSize = max(batchSize, 1)
        self.exactThreshold = exactThreshold
        pool = (0..<budget * self.batchSize).map { _ in model.makeInferenceState() }
        batch = model.makeInferenceBatch(capacity: self.batchSize)
        probabilities = Array(repeating: 0, count: model.config.vocabularySize)
        nodes.reserveCapacity(budget)
        frontier.reserveCapacity(budget * model.config.vocabularySize)
    }

    /// The k best completions of `prefix` (the typed part of the word, "" for a next word) from `root`, the state
    /// after the text so far, with at most `maxLength` graphemes appended.
    func run(root: InferenceState, prefix: String, prefixLastIsSimple: Bool, k: Int, maxLength: Int) -> [WordCompletion] {
        nodes.removeAll(keepingCapacity: true)
        frontier.removeAll(keepingCapacity: true)
        best.removeAll(k: k)
        usedSlots = 0
        lastSteps = 0
        lastIsExact = true
        guard k > 0, maxLength >= 0 else { return [] }

        expand(node: -1, state: root, prefix: prefix, lastIsSimple: prefixLastIsSimple, probability: 1,
               length: 0, maxLength: maxLength)
        while var candidate = popFrontier() {
            if let kth = best.cutoff, kth.score >= candidate.probability { break }
            guard nodes.count < budget else {
                lastIsExact = false
                break
            }
            if candidate.slot < 0 { candidate = step(candidate, root: root) }
            let index = nodes.count
            let length = candidate.parent < 0 ? 1 : nodes[Int(candidate.parent)].length + 1
            nodes.append(Node(parent: candidate.parent, token: candidate.token, length: length,
                              lastIsSimple: rules.isSimple[Int(candidate.token)], probability: candidate.probability,
                              slot: candidate.slot))
            lastSteps += 1
            expand(node: Int32(index), state: pool[Int(candidate.slot)], prefix: prefix, lastIsSimple: nodes[index].lastIsSimple,
                   probability: candidate.probability, length: Int(length), maxLength: maxLength)
        }
        return best.elements.map { completion(node: $0.node, prefix: prefix, score: $0.score) }
    }

    /// Steps `candidate` together with the next best candidates without states that are still above the k-th best
    /// score (up to `batchSize` in all), which go back to the frontier with their states; returns `candidate` with its
    /// state's slot.
    private func step(_ candidate: Candidate, root: InferenceState) -> Candidate {
        picked.removeAll(keepingCapacity: true)
        passed.removeAll(keepingCapacity: true)
        picked.append(candidate)
        while picked.count < batchSize, let next = frontier.first {
            if let kth = best.cutoff, kth.score >= next.probability { break }
            let popped = popFrontier()!
            if popped.slot < 0 { picked.append(popped) } else { passed.append(popped) }
        }
        pickedTokens.removeAll(keepingCapacity: true)
        for index in picked.indices {
            picked[index].slot = Int32(usedSlots + index)
            pickedTokens.append(picked[index].token)
            let parent = picked[index].parent
            pool[usedSlots + index].copy(from: parent < 0 ? root : pool[Int(nodes[Int(parent)].slot)])
        }
        // Candidates come from this model's vocabulary, so the step cannot reject them.
        try! model.step(tokens: pickedTokens, states: Array(pool[usedSlots..<usedSlots + picked.count]), batch: batch, delta: delta)
        usedSlots += picked.count
        for other in picked.dropFirst() { pushFrontier(other) }
        for other in passed { pushFrontier(other) }
        return picked[0]
    }

    /// Scores the completion ending at `node` (unless the word is empty) and queues its continuations.
    private func expand(node: Int32, state: InferenceState, prefix: String, lastIsSimple: Bool, probability: Double,
                        length: Int, maxLength: Int) {
        Softmax.probabilities(state.logits, into: &probabilities)
        let v = probabilities.count
        let emptyWord = prefix.isEmpty && node < 0
        var endMass = 0.0
        var cachedWord: String?
        let word = { () -> String in
            if let cachedWord { return cachedWord }
            let text = prefix + self.suffix(of: node)
            cachedWord = text
            return text
        }
        let canGrow = length < maxLength
        for id in 1..<v {
            let p = probabilities[id]
            let ends: Bool
            if emptyWord {
                ends = !rules.startsWord[id]
            } else if !lastIsSimple && p < exactThreshold {
                ends = rules.guessEnds(next: id)
            } else {
                ends = rules.ends(word: word, lastIsSimple: lastIsSimple, next: id)
            }
            if ends {
                endMass += p
            } else if canGrow {
                let child = probability * p
                if child > 0 && best.admits((node, child)) {
                    pushFrontier(Candidate(parent: node, token: Int32(id), probability: child))
                }
            }
        }
        let score = probability * endMass
        if !emptyWord && score > 0 { best.insert((node, score)) }
    }

    /// The graphemes from the root to `node`, joined.
    private func suffix(of node: Int32) -> String {
        var tokens: [Int32] = []
        var current = node
        while current >= 0 {
            tokens.append(nodes[Int(current)].token)
            current = nodes[Int(current)].parent
        }
        return tokens.reversed().map { rules.units[Int($0)] }.joined()
    }

    private func completion(node: Int32, prefix: String, score: Double) -> WordCompletion {
        let suffix = suffix(of: node)
        return WordCompletion(word: prefix + suffix, suffix: suffix,
                              suffixLength: node < 0 ? 0 : Int(nodes[Int(node)].length), probability: score)
    }

    // MARK: Binary max-heap on `frontier`, by probability

    private func pushFrontier(_ candidate: Candidate) {
        frontier.append(candidate)
        var child = frontier.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard frontier[parent].probability < frontier[child].probability else { break }
            frontier.swapAt(parent, child)
            child = parent
        }
    }

    private func popFrontier() -> Candidate? {
        guard let top = frontier.first else { return nil }
        let last = frontier.removeLast()
        guard !frontier.isEmpty else { return top }
        frontier[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < frontier.count && frontier[left].probability > frontier[largest].probability { largest = left }
            if right < frontier.count && frontier[right].probability > frontier[largest].probability { largest = right }
            guard largest != parent else { return top }
            frontier.swapAt(parent, largest)
            parent = largest
        }
    }
}
