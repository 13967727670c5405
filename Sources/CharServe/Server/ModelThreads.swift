import NIOPosix

/// Where model work that runs for a while without suspending (a prediction's search, an evaluation) is done: on
/// NIO's thread pool, one thread per core, apart from the threads that run Swift's tasks. On Linux those are
/// Dispatch's global threads, which grow only slowly when blocked, so work that blocks them would hold up every
/// other request (`/healthz` above all) while a long text is evaluated.
enum ModelThreads {
    /// The result of `work`, run on a thread of the pool.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
