import CICU

/// Unicode Normalization Form C over UTF-8, through ICU.
public enum Normalization {
    /// The NFC form of `text`.
    public static func nfc(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let normalized = nfc(bytes) else { return String(decoding: bytes, as: UTF8.self) }
            return String(decoding: normalized, as: UTF8.self)
        }
    }

    /// Whether well-formed UTF-8 `bytes` are certainly in NFC; cheap for text that mostly is.
    static func isNFC(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        var status: Int32 = 0
        let result = cicu_utf8_is_nfc(base, Int64(bytes.count), &status)
        precondition(status <= 0, "ICU NFC quick check failed: \(ICUBreaker.errorName(status))")
        return result == 1
    }

    /// The NFC form of well-formed UTF-8 `bytes`, or nil when they already are in NFC.
    static func nfc(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !isNFC(bytes), let base = bytes.baseAddress else { return nil }
        var status: Int32 = 0
        var length: Int64 = 0
        guard let result = cicu_nfc_utf8(base, Int64(bytes.count), &length, &status) else {
            preconditionFailure("ICU NFC normalization of \(bytes.count) bytes failed: \(ICUBreaker.errorName(status))")
        }
        defer { cicu_free(result) }
        return Array(UnsafeBufferPointer(start: result, count: Int(length)))
    }
}
