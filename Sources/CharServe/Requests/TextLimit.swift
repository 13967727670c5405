/// The limit on a text field's length (`ServeConfiguration.maxTextGraphemes`), which bounds the model work a text
/// can cause: a prime is fed one step per grapheme, a text to evaluate is read whole.
enum TextLimit {
    /// Throws an error naming `field` when `text` has more graphemes than `limits` allow.
    static func check(_ text: String, field: String, limits: ServeConfiguration) throws(ServeError) {
        // Counting stops one past the limit, so a huge text costs no more to reject than one just over.
        let counted = text.prefix(limits.maxTextGraphemes + 1).count
        guard counted <= limits.maxTextGraphemes else {
            throw .invalidField(field, "is longer than this server's limit of \(limits.maxTextGraphemes) graphemes (charnn serve --max-text)")
        }
    }
}
