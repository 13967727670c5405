/// 64-byte aligned 32-bit words that grow on demand and keep their size: packing scratch for the bf16 kernels.
struct WordBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt32>?
    private var capacity = 0

    /// No words until the first `reserve`.
    init() {}

    /// The words, after a `reserve`.
    var base: UnsafeMutablePointer<UInt32> {
        guard let storage else { preconditionFailure("WordBuffer read before reserve") }
        return storage
    }

    /// At least `count` words, their values undefined; valid until a later call asks for more.
    mutating func reserve(_ count: Int) -> UnsafeMutablePointer<UInt32> {
        if let storage, count <= capacity { return storage }
        storage.map { UnsafeMutableRawPointer($0).deallocate() }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        storage = raw.bindMemory(to: UInt32.self, capacity: max(count, 1))
        capacity = count
        return storage!
    }

    deinit { storage.map { UnsafeMutableRawPointer($0).deallocate() } }
}
