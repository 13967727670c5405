/// Softmax cross-entropy over rows of logits, mean over the N rows: forward and backward.
///
///     z [N, V] logits, y [N] targets
///     lse_n = log Σ_v exp(z_nv)   (computed as m + log Σ exp(z - m), m = max_v z_nv, so it never overflows)
///     loss  = (1/N) Σ_n (lse_n - z_{n,y_n})
///     dz_nv = (exp(z_nv - lse_n) - [v == y_n]) / N
enum SoftmaxCrossEntropy {
    /// Returns the mean loss and stores each row's log-sum-exp in `lse` [N].
    static func forward(logits z: Matrix, targets: UnsafePointer<Int32>, lse: UnsafeMutablePointer<Float>) -> Float {
        var total: Double = 0
        for n in 0..<z.rows {
            let row = z.row(n)
            let l = logSumExp(row, count: z.cols)
            lse[n] = l
            total += Double(l - row[Int(targets[n])])
        }
        return Float(total / Double(z.rows))
    }

    /// Replaces the logits `z` by dz, using the `lse` that forward stored.
    static func backward(logits z: Matrix, targets: UnsafePointer<Int32>, lse: UnsafePointer<Float>) {
        let scale = 1 / Float(z.rows)
        for n in 0..<z.rows {
            let row = z.row(n)
            let l = lse[n]
            for v in stride(from: 0, to: z.cols, by: FloatVector.scalarCount) {
                let count = z.cols - v
                (row + v).storeVector(VectorMath.exp((row + v).loadVector(count: count) - l) * scale, count: count)
            }
            row[Int(targets[n])] -= scale
        }
    }

    /// log Σ exp(x) over `count` values, stable for any magnitude.
    /// Lanes past `count` are padded with -∞, which is neutral for the max and whose exp is 0 in the sum.
    static func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m = FloatVector(repeating: -.infinity)
        for v in stride(from: 0, to: count, by: FloatVector.scalarCount) {
            m = pointwiseMax(m, (x + v).loadVector(count: count - v, padding: -.infinity))
        }
        let top = m.max()
        var sum = FloatVector(repeating: 0)
        for v in stride(from: 0, to: count, by: FloatVector.scalarCount) {
            sum += VectorMath.exp((x + v).loadVector(count: count - v, padding: -.infinity) - top)
        }
        return top + _logf(sum.sum())
    }
}
