/// The 64-bit xxHash (XXH64) of a byte stream, fed in pieces of any size.
///
/// XXH64 rather than FNV-1a or CRC-32C: it reads eight bytes per step in four independent lanes, so hashing
/// a checkpoint's tensors costs a fraction of writing them, and it is a published algorithm with reference
/// vectors, so another program can check the same bytes. Feeding the bytes in several pieces gives the
/// same hash as feeding them at once.
public struct Checksum: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5
    private static let stripeSize = 32

    private let seed: UInt64
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    private var totalLength: UInt64 = 0
    /// Bytes that did not yet fill a whole 32-byte stripe, kept until the next `update` or `finalize`.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    /// Starts a hash; the seed selects an independent hash function (0 is the conventional default).
    public init(seed: UInt64 = 0) {
        self.seed = seed
        lanes = (seed &+ Self.prime1 &+ Self.prime2, seed &+ Self.prime2, seed, seed &- Self.prime1)
    }

    /// The XXH64 of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var checksum = Checksum(seed: seed)
        checksum.update(bytes)
        return checksum.finalize()
    }

    /// The XXH64 of an array's bytes in one call.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Feeds the next bytes of the stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        totalLength &+= UInt64(bytes.count)
        var offset = 0
        if pendingCount > 0 {
            let take = min(Self.stripeSize - pendingCount, bytes.count)
            withUnsafeMutableBytes(of: &pending) { stripe in
                stripe.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            offset = take
            guard pendingCount == Self.stripeSize else { return }
            let stripe = pending
            withUnsafeBytes(of: stripe) { consumeStripes($0.baseAddress!, count: 1) }
            pendingCount = 0
        }
        let stripes = (bytes.count - offset) / Self.stripeSize
        consumeStripes(base + offset, count: stripes)
        offset += stripes * Self.stripeSize
        let rest = bytes.count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &pending) { stripe in
                stripe.baseAddress!.copyMemory(from: base + offset, byteCount: rest)
            }
            pendingCount = rest
        }
    }

    /// The hash of everything fed so far; the stream may continue afterwards.
    public func finalize() -> UInt64 {
        var hash: UInt64
        if totalLength >= UInt64(Self.stripeSize) {
            let (v1, v2, v3, v4) = lanes
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            hash = Self.merge(hash, v1)
            hash = Self.merge(hash, v2)
            hash = Self.merge(hash, v3)
            hash = Self.merge(hash, v4)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= totalLength
        let count = pendingCount
        return withUnsafeBytes(of: pending) { tail in
            let p = tail.baseAddress!
            var offset = 0
            while offset + 8 <= count {
                let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash ^= Self.round(0, word)
                hash = rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if offset + 4 <= count {
                let word = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                hash ^= word &* Self.prime1
                hash = rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < count {
                hash ^= UInt64(p.load(fromByteOffset: offset, as: UInt8.self)) &* Self.prime5
                hash = rotate(hash, 11) &* Self.prime1
                offset += 1
            }
            hash ^= hash >> 33
            hash &*= Self.prime2
            hash ^= hash >> 29
            hash &*= Self.prime3
            hash ^= hash >> 32
            return hash
        }
    }

    private mutating func consumeStripes(_ start: UnsafeRawPointer, count: Int) {
        var (v1, v2, v3, v4) = lanes
        var p = start
        for _ in 0..<count {
            v1 = Self.round(v1, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
            v2 = Self.round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            v3 = Self.round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            v4 = Self.round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            p += Self.stripeSize
        }
        lanes = (v1, v2, v3, v4)
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func merge(_ hash: UInt64, _ lane: UInt64) -> UInt64 {
        (hash ^ round(0, lane)) &* prime1 &+ prime4
    }
}

@inline(__always)
private func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
    (value << bits) | (value >> (64 - bits))
}
