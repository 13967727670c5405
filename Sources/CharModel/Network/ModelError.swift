/// A model built or called with values it cannot work with.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A hyperparameter out of range; the text names it and its value.
    case invalidHyperparameter(String)
    /// An input of the wrong length or shape.
    case shapeMismatch(String)
    /// A token id outside [0, V).
    case tokenOutOfRange(id: Int32, vocabularySize: Int)
    /// A named tensor missing or of the wrong shape when loading weights.
    case parameterMismatch(String)
    /// A `TrainingPrecision` this CPU cannot run; the text says what it needs.
    case unsupportedPrecision(String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let text): "invalid model hyperparameter: \(text)"
        case .shapeMismatch(let text): "shape mismatch: \(text)"
        case .tokenOutOfRange(let id, let v): "token id \(id) is outside the vocabulary of \(v) ids"
        case .parameterMismatch(let text): "parameters do not match the model: \(text)"
        case .unsupportedPrecision(let text): text
        }
    }
}
