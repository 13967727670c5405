import Dispatch

/// Calls `body` for 0..<`count` at once, one call per core, with BLAS single-threaded meanwhile so that each call's
/// products stay on its own core. Each call must touch memory of its own, which is what makes sharing `body` across
/// threads safe.
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1 else {
        if count == 1 { body(0) }
        return
    }
    let threads = blasThreads()
    setBLASThreads(1)
    defer { setBLASThreads(threads) }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }
}

/// The `part`th of `parts` near-equal pieces of 0..<`count`.
public func share(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
    part * count / parts..<(part + 1) * count / parts
}
