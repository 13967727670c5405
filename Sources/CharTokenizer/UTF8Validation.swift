import CICU

/// Strict UTF-8 validation (Unicode Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
public enum UTF8Validation {
    /// The byte offset of the first ill-formed sequence in `bytes`, or nil when all of it is well-formed UTF-8.
    public static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let offset = cicu_utf8_invalid_offset(base, Int64(bytes.count))
        return offset < 0 ? nil : Int(offset)
    }

    /// The byte offset of the first ill-formed sequence in `bytes`, or nil when all of it is well-formed UTF-8.
    public static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset($0) }
    }
}
