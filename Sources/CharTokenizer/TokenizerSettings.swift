
/// How text becomes units; stored with a vocabulary because ids only mean something under the same settings.
public struct TokenizerSettings: Codable, Equatable, Hashable, Sendable {
    /// Whether text is put in Unicode Normalization Form C first, so that "é" typed as e + U+0301 and as U+00E9
    /// is the same token.
    public var normalize: Bool
    /// The unit of tokenization.
    public var unit: TokenUnit

    /// NFC on and grapheme clusters by default: the project's unit of text.
    public init(normalize: Bool = true, unit: TokenUnit = .grapheme) {
        self.normalize = normalize
        self.unit = unit
    }
}
