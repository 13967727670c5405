/// Sampling or evaluation given something it cannot use.
public enum SamplingError: Error, CustomStringConvertible, Equatable {
    /// An option out of range; the text names it.
    case invalidOption(String)
    /// Text that cannot be used (empty, or entirely outside the vocabulary); the text says which.
    case invalidText(String)

    public var description: String {
        switch self {
        case .invalidOption(let text): "invalid sampling option: \(text)"
        case .invalidText(let text): text
        }
    }
}
