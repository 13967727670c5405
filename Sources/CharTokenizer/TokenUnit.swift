/// The unit a tokenizer splits text into.
public enum TokenUnit: String, Codable, Sendable, CaseIterable {
    /// Extended grapheme clusters as ICU defines them (UAX #29): what a reader sees as one character.
    case grapheme
    /// Unicode scalar values (code points other than surrogates).
    case scalar
}
