import CharModel
import Dispatch

/// What the ranks of an MPI job exchange to train one model, each time in one contiguous buffer.
///
///     K = 1, every window (data parallelism):
///         [dW (P), loss]                 summed. Each rank's terms are its streams' share of the window's mean
///                                        (`DataParallelPass`), so the sums are the gradient and loss of the whole
///                                        window: what one process computes, up to the order of the additions.
///     K > 1, every K windows and before a checkpoint (local SGD, periodic model averaging):
///         [W (P), slot_1 (P), ...]       averaged: the parameters and the optimizer's moments. Between meetings
///                                        each rank steps on the mean gradient of its own streams.
///     before a checkpoint:
///         [h, c] ([2, L, B/N, H])        gathered to rank 0, which fills its carried state's other rows.
///
/// Every rank draws the whole window's dropout masks from the shared generator and keeps its rows, so the data
/// cursor and the generator are the same on every rank, and rank 0's checkpoint holds every rank's state.
///
/// Memory: 4 (P + 1) bytes for K = 1, or 4 P (1 + slots) for K > 1; 8 L B H more on rank 0 for the gather.
public final class ModelExchange {
    /// The job.
    public let group: MPIGroup
    /// K: windows between meetings; 1 sums gradients every window.
    public let syncEvery: Int
    /// Seconds spent in the exchanges so far (all-reduce and gather), for the scaling figures.
    public private(set) var seconds: Double = 0
    private let buffer: FloatBuffer
    private let send: FloatBuffer
    private let gathered: FloatBuffer

    /// An exchange for `model` trained with an optimizer of `slots` moment buffers, by `group`, meeting every
    /// `syncEvery` windows, with batches of `batchSize` streams.
    public init(group: MPIGroup, syncEvery: Int, model: LanguageModel, slots: Int, batchSize: Int) {
        self.group = group
        self.syncEvery = syncEvery
        let p = model.parameterCount
        buffer = FloatBuffer(count: syncEvery == 1 ? p + 1 : p * (1 + slots))
        let rows = 2 * model.config.layers * (batchSize / group.size) * model.config.hiddenSize
        send = FloatBuffer(count: rows)
        gathered = FloatBuffer(count: group.isLeader ? group.size * rows : 0)
    }

    /// Turns this rank's share of a window's `gradients` and `loss` into what its update uses: the whole window's
    /// (K = 1, summed over the ranks) or its own streams' mean (K > 1, divided by `share`, its fraction of the
    /// window). Returns the loss.
    public func combine(gradients: FloatBuffer, loss: Float, share: Float) throws(TrainingError) -> Float {
        let p = gradients.count
        guard syncEvery == 1 else {
            let scale = 1 / share
            for i in 0..<p { gradients.base[i] *= scale }
            return loss * scale
        }
        buffer.base.update(from: gradients.base, count: p)
        buffer.base[p] = loss
        try timed { () throws(TrainingError) in try group.sum(buffer.buffer) }
        gradients.base.update(from: buffer.base, count: p)
        return buffer.base[p]
    }

    /// Replaces `parameters` and every slot by their means over the ranks (K > 1).
    public func averageModel(parameters: FloatBuffer, slots: [FloatBuffer]) throws(TrainingError) {
        precondition(syncEvery > 1, "model averaging is for K > 1")
        let parts = [parameters] + slots
        let p = parameters.count
        for (k, part) in parts.enumerated() { (buffer.base + k * p).update(from: part.base, count: p) }
        try timed { () throws(TrainingError) in try group.sum(buffer.buffer) }
        let mean = 1 / Float(group.size)
        for (k, part) in parts.enumerated() {
            let sums = buffer.base + k * p
            for i in 0..<p { part.base[i] = sums[i] * mean }
        }
    }

    /// Fills the rows of every other rank's streams in rank 0's `carried` [L, B, H] with theirs; other ranks' copies
    /// are left as they are (each reads only its own rows).
    public func gatherCarried(_ carried: inout LSTMState) throws(TrainingError) {
        let (l, h, n) = (carried.layers, carried.hiddenSize, group.size)
        let streams = carried.batchSize / n
        let block = streams * h
        // [2, L, B/N, H]: this rank's rows of h, then of c.
        func rows(_ rank: Int, layer: Int) -> Range<Int> {
            let start = layer * carried.batchSize * h + rank * block
            return start..<start + block
        }
        for layer in 0..<l {
            for (k, values) in [carried.h, carried.c].enumerated() {
                let to = send.base + (k * l + layer) * block
                values.withUnsafeBufferPointer { to.update(from: $0.baseAddress! + rows(group.rank, layer: layer).lowerBound, count: block) }
            }
        }
        try timed { () throws(TrainingError) in try group.gather(UnsafeBufferPointer(send.buffer), into: gathered.buffer) }
        guard group.isLeader else { return }
        for rank in 1..<n {
            let from = gathered.base + rank * send.count
            for layer in 0..<l {
                let r = rows(rank, layer: layer)
                carried.h.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: r.lowerBound).update(from: from + layer * block, count: block) }
                carried.c.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: r.lowerBound).update(from: from + (l + layer) * block, count: block) }
            }
        }
    }

    private func timed(_ body: () throws(TrainingError) -> Void) throws(TrainingError) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
