/// An insert-only hash set of byte strings (grapheme clusters in UTF-8) numbering them 0, 1, 2, ... in insertion
/// order, looked up straight from a slice of the text: no `String` is built and nothing is allocated per lookup.
///
/// Keys live back to back in one byte array; the slots of an open-addressing table (linear probing, load at most
/// one half) hold entry numbers.
struct ByteKeyedTable: Sendable {
    private(set) var keyBytes: [UInt8] = []
    /// Entry `i`'s key is `keyBytes[keyOffsets[i]..<keyOffsets[i + 1]]`.
    private(set) var keyOffsets: [Int] = [0]
    private var slots: [Int32]

    init(minimumCapacity: Int = 64) {
        var size = 16
        while size < minimumCapacity * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
    }

    /// The number of keys.
    var count: Int { keyOffsets.count - 1 }

    /// The bytes of entry `index`.
    func key(at index: Int) -> ArraySlice<UInt8> {
        keyBytes[keyOffsets[index]..<keyOffsets[index + 1]]
    }

    /// The entry number of `key`, or nil when it is not in the table.
    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let (slot, found) = probe(key)
        return found ? Int(slots[slot]) : nil
    }

    /// The entry number of `key`, inserting it first when needed.
    @inline(__always)
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let (slot, found) = probe(key)
        if found { return Int(slots[slot]) }
        let index = count
        keyBytes.append(contentsOf: key)
        keyOffsets.append(keyBytes.count)
        slots[slot] = Int32(index)
        if count * 2 > slots.count { grow() }
        return index
    }

    /// The slot holding `key` (found) or the empty slot where it belongs.
    @inline(__always)
    private func probe(_ key: UnsafeBufferPointer<UInt8>) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        return slots.withUnsafeBufferPointer { slots in
            keyBytes.withUnsafeBufferPointer { keyBytes in
                keyOffsets.withUnsafeBufferPointer { keyOffsets in
                    while true {
                        let entry = Int(slots[slot])
                        if entry < 0 { return (slot, false) }
                        let start = keyOffsets[entry], end = keyOffsets[entry + 1]
                        if end - start == key.count
                            && (key.isEmpty || memcmpEqual(keyBytes.baseAddress! + start, key.baseAddress!, key.count))
                        {
                            return (slot, true)
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var grown = [Int32](repeating: -1, count: size)
        keyBytes.withUnsafeBufferPointer { keyBytes in
            for entry in 0..<count {
                let key = UnsafeBufferPointer(rebasing: keyBytes[keyOffsets[entry]..<keyOffsets[entry + 1]])
                var slot = Self.hash(key) & (size - 1)
                while grown[slot] >= 0 { slot = (slot + 1) & (size - 1) }
                grown[slot] = Int32(entry)
            }
        }
        slots = grown
    }

    /// FNV-1a, then a multiply to spread the low bits the mask keeps.
    @inline(__always)
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 17)
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}
