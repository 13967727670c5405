/// A predictor built with parts or settings it cannot work with.
public enum PredictorError: Error, CustomStringConvertible, Equatable {
    /// The tokenizer's vocabulary and the model's output layer have different sizes.
    case vocabularyMismatch(vocabulary: Int, model: Int)
    /// A setting out of range; the text names it, its value and the range.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .vocabularyMismatch(let vocabulary, let model):
            "the vocabulary has \(vocabulary) ids but the model predicts \(model); use the tokenizer saved with the model"
        case .invalidSetting(let text): "invalid predictor setting: \(text)"
        }
    }
}
