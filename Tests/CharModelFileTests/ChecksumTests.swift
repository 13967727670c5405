import Testing
@testable import CharModelFile

@Suite struct ChecksumTests {
    /// Published XXH64 reference values (seed 0), covering the tail-only path, the 4- and 8-byte tails,
    /// exactly one 32-byte stripe, and stripes followed by a tail.
    static let vectors: [(String, UInt64)] = [
        ("", 0xEF46_DB37_51D8_E999),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("1234", 0xD831_6E61_D84F_6BA4),
        ("12345678", 0xD2D0_2F08_CF7C_FD4A),
        ("123456789012345", 0xC377_D78A_DE00_1A3C),
        ("1234567890123456", 0xB61C_33DC_6C59_F270),
        ("0123456789abcdef0123456789abcdef", 0x642A_9495_8E71_E6C5),
        (String(repeating: "a", count: 32), 0x856E_8432_98F9_9AD7),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
        ("The quick brown fox jumps over the lazy dog", 0x0B24_2D36_1FDA_71BC),
    ]

    @Test(arguments: vectors)
    func referenceVectors(text: String, expected: UInt64) {
        #expect(Checksum.hash(Array(text.utf8)) == expected)
    }

    @Test func seedChangesTheHash() {
        #expect(Checksum.hash(Array("abc".utf8), seed: 12345) == 0x0170_0E64_F6F2_3509)
    }

    @Test func feedingInTwoPiecesMatchesOneCall() {
        let bytes = (0..<130).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...bytes.count {
            let whole = Checksum.hash(Array(bytes[0..<length]))
            for split in 0...length {
                var checksum = Checksum()
                bytes[0..<split].withUnsafeBytes { checksum.update($0) }
                bytes[split..<length].withUnsafeBytes { checksum.update($0) }
                #expect(checksum.finalize() == whole, "length \(length), split at \(split)")
            }
        }
    }

    @Test func feedingByteByByteMatchesOneCall() {
        let bytes = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 3) }
        var checksum = Checksum()
        for index in bytes.indices {
            bytes[index...index].withUnsafeBytes { checksum.update($0) }
        }
        #expect(checksum.finalize() == Checksum.hash(bytes))
    }

    @Test func everySingleBitFlipChangesTheHash() {
        var bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0) }
        let original = Checksum.hash(bytes)
        for index in bytes.indices {
            for bit in 0..<8 {
                bytes[index] ^= 1 << bit
                #expect(Checksum.hash(bytes) != original)
                bytes[index] ^= 1 << bit
            }
        }
    }
}
