import CharModel

/// A bounded stack of earlier inference states, kept in a ring allocated once: pushing past the capacity
/// overwrites the oldest entry, so a long session keeps only the most recent `capacity` states.
///
/// Push and pop copy a state's floats (`InferenceState.copy(from:)`); neither allocates.
final class StateStack {
    /// The most states it holds.
    let capacity: Int
    private let slots: [InferenceState]
    /// Index of the next free slot.
    private var top = 0
    /// States held, at most `capacity`.
    private(set) var count = 0

    /// An empty stack of `capacity` states of a model with `config`.
    init(config: ModelConfig, capacity: Int) {
        self.capacity = capacity
        slots = (0..<capacity).map { _ in InferenceState(config: config) }
    }

    /// Saves a copy of `state` on top, dropping the oldest entry when full.
    func push(_ state: InferenceState) {
        guard capacity > 0 else { return }
        slots[top].copy(from: state)
        top = (top + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Copies the top entry into `state` and removes it; false (and `state` untouched) when empty.
    func pop(into state: InferenceState) -> Bool {
        guard count > 0 else { return false }
        top = (top - 1 + capacity) % capacity
        count -= 1
        state.copy(from: slots[top])
        return true
    }

    /// Forgets every entry.
    func removeAll() {
        top = 0
        count = 0
    }
}
