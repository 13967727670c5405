import CICU

/// Which ICU and Unicode versions segmented a text.
///
/// Grapheme boundaries change between Unicode versions (Unicode 15.1 added rule GB9c for Indic conjuncts),
/// so a vocabulary records the versions it was built under, and a model used under another version can say so.
public struct UnicodeVersionInfo: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The ICU library version, e.g. "72.1".
    public var icuVersion: String
    /// The Unicode version ICU implements, e.g. "15.0".
    public var unicodeVersion: String

    /// Versions as ICU spells them, e.g. "72.1" and "15.0".
    public init(icuVersion: String, unicodeVersion: String) {
        self.icuVersion = icuVersion
        self.unicodeVersion = unicodeVersion
    }

    /// The versions of the ICU this process is linked against.
    public static let current: UnicodeVersionInfo = {
        var icu = [CChar](repeating: 0, count: 32)
        var unicode = [CChar](repeating: 0, count: 32)
        cicu_icu_version(&icu, Int32(icu.count))
        cicu_unicode_version(&unicode, Int32(unicode.count))
        return UnicodeVersionInfo(
            icuVersion: String(decoding: icu.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            unicodeVersion: String(decoding: unicode.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
    }()

    /// The Unicode version as numbers, e.g. [15, 0], for comparisons such as "at least 15.1".
    public var unicodeVersionComponents: [Int] {
        unicodeVersion.split(separator: ".").map { Int($0) ?? 0 }
    }

    /// For example "ICU 72.1, Unicode 15.0".
    public var description: String { "ICU \(icuVersion), Unicode \(unicodeVersion)" }

    /// A one-line warning when text segmented under `self` (e.g. a training corpus) may segment differently
    /// under `other` (e.g. the running process); nil when the Unicode versions agree.
    public func compatibilityWarning(against other: UnicodeVersionInfo = .current) -> String? {
        guard unicodeVersion != other.unicodeVersion else { return nil }
        return "the vocabulary was segmented under Unicode \(unicodeVersion) (ICU \(icuVersion)) but this build uses "
            + "Unicode \(other.unicodeVersion) (ICU \(other.icuVersion)): some grapheme clusters may split differently "
            + "and encode to <unk>; rebuild the vocabulary (and retrain) under one version to be safe"
    }
}
