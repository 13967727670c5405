/// A corpus's token ids held compactly: 2 bytes each while the vocabulary has at most 65,536 ids, 4 beyond.
/// A 100 MB corpus of ASCII text is 200 MB of ids, not the 800 MB an `[Int]` would take.
public struct TokenIDs: Sendable {
    private enum Storage: Sendable {
        case narrow([UInt16])
        case wide([Int32])
    }
    private var storage: Storage

    /// Empty storage for ids below `vocabularySize`.
    public init(vocabularySize: Int) {
        storage = vocabularySize <= 1 << 16 ? .narrow([]) : .wide([])
    }

    /// Number of ids.
    public var count: Int {
        switch storage {
        case .narrow(let a): a.count
        case .wide(let a): a.count
        }
    }

    /// Bytes per id: 2 or 4.
    public var bytesPerID: Int {
        if case .narrow = storage { return 2 }
        return 4
    }

    /// The id at `index`.
    @inline(__always) public subscript(index: Int) -> Int32 {
        switch storage {
        case .narrow(let a): Int32(a[index])
        case .wide(let a): a[index]
        }
    }

    /// Makes room for `count` ids in all, so that filling a large corpus never copies it to grow.
    public mutating func reserveCapacity(_ count: Int) {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            a.reserveCapacity(count)
            storage = .narrow(a)
        case .wide(var a):
            storage = .wide([])
            a.reserveCapacity(count)
            storage = .wide(a)
        }
    }

    /// Appends ids (each must be below the vocabulary size given at creation).
    public mutating func append<S: Sequence>(contentsOf ids: S) where S.Element == Int32 {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            a.append(contentsOf: ids.lazy.map { UInt16(truncatingIfNeeded: $0) })
            storage = .narrow(a)
        case .wide(var a):
            storage = .wide([])
            a.append(contentsOf: ids)
            storage = .wide(a)
        }
    }

    /// Copies `count` ids from `start` into `destination` starting at `offset`.
    @inline(__always) func copy(from start: Int, count: Int, into destination: inout [Int32], at offset: Int) {
        switch storage {
        case .narrow(let a): for i in 0..<count { destination[offset + i] = Int32(a[start + i]) }
        case .wide(let a): for i in 0..<count { destination[offset + i] = a[start + i] }
        }
    }
}
