import CICU

/// Splits text into the units of a `TokenizerSettings`: NFC first (when asked), then grapheme clusters by ICU's
/// break iterator, or Unicode scalars.
///
/// Speed comes from two shortcuts that never change the result: text already in NFC (nearly all of it) is not
/// copied, and an ASCII byte followed by another ASCII byte (other than CR LF) is a grapheme boundary by rules
/// GB3-GB9b of UAX #29, so ASCII runs never reach ICU. ICU reads the UTF-8 in place (a UText), with one break
/// iterator reused across calls.
public final class GraphemeSegmenter: Sendable {
    /// The settings this segmenter applies.
    public let settings: TokenizerSettings
    private let breaker: ICUBreaker
    /// The largest stretch normalized and segmented at once: it bounds the temporary memory of normalization and
    /// keeps ICU's 32-bit offsets valid. Stretches end after a line feed, which is both a grapheme boundary (GB4)
    /// and a normalization boundary, so the result does not depend on it.
    let windowLimit: Int

    /// A segmenter for `settings`; throws only when ICU itself is broken.
    public convenience init(settings: TokenizerSettings = TokenizerSettings()) throws(TokenizerError) {
        try self.init(settings: settings, windowLimit: 1 << 26)
    }

    init(settings: TokenizerSettings, windowLimit: Int) throws(TokenizerError) {
        self.settings = settings
        self.windowLimit = windowLimit
        self.breaker = try ICUBreaker(kind: CICU_BREAK_GRAPHEME)
    }

    /// The units of `text`, in order; their concatenation is `text` (in NFC when the settings normalize).
    public func segments(of text: String) -> [String] {
        var result: [String] = []
        var text = text
        text.withUTF8 { bytes in
            forEachUnit(in: bytes) { result.append(String(decoding: $0, as: UTF8.self)) }
        }
        return result
    }

    /// Calls `body` with the bytes of each unit of well-formed UTF-8 `text`, in order.
    func forEachUnit(in text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while start < text.count {
            let end = windowEnd(in: text, from: start)
            let window = UnsafeBufferPointer(rebasing: text[start..<end])
            if settings.normalize, let normalized = Normalization.nfc(window) {
                normalized.withUnsafeBufferPointer { segment($0, body) }
            } else {
                segment(window, body)
            }
            start = end
        }
    }

    private func windowEnd(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard text.count - start > windowLimit else { return text.count }
        let newline = UInt8(ascii: "\n")
        if let last = text[start..<(start + windowLimit)].lastIndex(of: newline) {
            return last + 1
        }
        if let next = text[(start + windowLimit)...].firstIndex(of: newline) {
            return next + 1
        }
        return text.count
    }

    func segment(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        switch settings.unit {
        case .scalar: segmentScalars(text, body)
        case .grapheme: segmentGraphemes(text, body)
        }
    }

    private func segmentScalars(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var position = 0
        while position < text.count {
            let lead = text[position]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            body(UnsafeBufferPointer(rebasing: text[position..<(position + length)]))
            position += length
        }
    }

    private func segmentGraphemes(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var position = emitASCIIGraphemes(text, from: 0, body)
        guard position < text.count else { return }
        breaker.withText(text) { iterator in
            while position < text.count {
                let end = iterator.following(position) ?? text.count
                body(UnsafeBufferPointer(rebasing: text[position..<end]))
                position = emitASCIIGraphemes(text, from: end, body)
            }
        }
    }

    /// Emits the graphemes from `position` (a boundary) on while they are ASCII and followed by ASCII (or the end),
    /// and returns where ICU has to take over.
    @inline(__always)
    private func emitASCIIGraphemes(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) -> Int {
        let count = text.count
        var position = start
        while position < count {
            let byte = text[position]
            guard byte < 0x80 else { return position }
            if position + 1 == count {
                body(UnsafeBufferPointer(rebasing: text[position..<count]))
                return count
            }
            let next = text[position + 1]
            guard next < 0x80 else { return position }
            let length = byte == UInt8(ascii: "\r") && next == UInt8(ascii: "\n") ? 2 : 1
            body(UnsafeBufferPointer(rebasing: text[position..<(position + length)]))
            position += length
        }
        return position
    }
}
