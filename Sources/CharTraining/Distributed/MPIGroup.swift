import CMPI
import CharModel
import Foundation

/// The processes of one `mpirun` job training one model together: this process's rank, their number, and the two
/// collectives data-parallel training needs (a sum on every rank, a gather to rank 0). Open MPI is loaded only when the
/// environment says `mpirun` started this process, so a plain `charnn train` never touches it.
public final class MPIGroup {
    /// This process's rank, 0..<size. Rank 0 evaluates, writes the run folder and reports.
    public let rank: Int
    /// The number of ranks, N.
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The job this process belongs to, or nil when it was not started by Open MPI's `mpirun` with more than one
    /// rank (`OMPI_COMM_WORLD_SIZE` unset or 1). Initialises MPI; call once per process.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(TrainingError) -> MPIGroup? {
        guard let text = environment["OMPI_COMM_WORLD_SIZE"], let ranks = Int(text), ranks > 1 else { return nil }
        var error = [CChar](repeating: 0, count: 512)
        guard charnn_mpi_open(&error, error.count) == 0 else {
            throw .distributed("mpirun started this process but Open MPI's library could not be used: \(message(in: error)); install Open MPI (scripts/bootstrap --mpi)")
        }
        // Open MPI's variables without its launcher (a copied environment) give a job of one: train alone.
        guard charnn_mpi_size() > 1 else {
            charnn_mpi_close()
            return nil
        }
        return MPIGroup(rank: Int(charnn_mpi_rank()), size: Int(charnn_mpi_size()))
    }

    /// Whether this is rank 0, the one that writes and reports.
    public var isLeader: Bool { rank == 0 }

    /// This rank's streams of a batch of `batchSize`: the `rank`th of `size` equal shares.
    public func streams(of batchSize: Int) -> Range<Int> { share(rank, of: size, count: batchSize) }

    /// Sums `values` over every rank, in place; every rank ends with the same sums (MPI_Allreduce).
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws(TrainingError) {
        try call { error in charnn_mpi_sum_floats(values.baseAddress, values.count, error, 512) }
    }

    /// Gathers every rank's `values` (the same count on each) into `gathered` [N * count] on rank 0, rank by rank.
    /// `gathered` is written on rank 0 only.
    public func gather(_ values: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>) throws(TrainingError) {
        precondition(!isLeader || gathered.count == size * values.count, "gather into [N * count]")
        try call { error in charnn_mpi_gather_floats(values.baseAddress, values.count, gathered.baseAddress, error, 512) }
    }

    /// Sums `values` over every rank, in place, as `sum` does for floats.
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws(TrainingError) {
        try call { error in charnn_mpi_sum_doubles(values.baseAddress, values.count, error, 512) }
    }

    /// Finalises MPI at a clean exit of every rank.
    public func close() { charnn_mpi_close() }

    private func call(_ body: (UnsafeMutablePointer<CChar>) -> Int32) throws(TrainingError) {
        var error = [CChar](repeating: 0, count: 512)
        let status = error.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        guard status == 0 else { throw .distributed("rank \(rank) of \(size): \(message(in: error))") }
    }
}

/// The text a C function wrote into `buffer`, up to its terminating zero.
private func message(in buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
