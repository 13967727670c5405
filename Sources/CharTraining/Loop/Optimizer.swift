import CharModel

/// Updates the flat parameter buffer from the flat gradient buffer: one loop over the whole model per step.
///
///     Adam:     m = β1 m + (1-β1) g        v = β2 v + (1-β2) g²
///               p -= lr (m / (1-β1^t)) / (√(v / (1-β2^t)) + ε)  + lr wd p   (decoupled weight decay, as AdamW)
///     RMSProp:  v = α v + (1-α) g²         p -= lr g / (√v + ε)            + lr wd p
///     SGD:      b = μ b + g                p -= lr b                       + lr wd p
///
/// The moment buffers ("slots") share the parameters' layout and carry PyTorch's state names, so a checkpoint stores
/// them as `optimizer.<slot>.<parameter name>`.
public final class Optimizer {
    /// Which rule.
    public let kind: OptimizerKind
    /// The slot names in order, e.g. ["exp_avg", "exp_avg_sq"] for Adam.
    public let slotNames: [String]
    /// One buffer per slot, each the size of the parameters.
    public let slots: [FloatBuffer]
    private let config: TrainingConfig

    /// An optimizer with zero moments for `parameterCount` parameters.
    public init(config: TrainingConfig, parameterCount: Int) {
        kind = config.optimizer
        self.config = config
        slotNames = switch config.optimizer {
        case .adam: ["exp_avg", "exp_avg_sq"]
        case .rmsprop: ["square_avg"]
        case .sgd: ["momentum_buffer"]
        }
        slots = slotNames.map { _ in FloatBuffer(count: parameterCount) }
    }

    /// Applies update number `t` (1-based; Adam's bias correction uses it) with learning rate `lr`, on `parts` cores
    /// at once (`parallelFor`), each updating its share of the parameters.
    public func step(parameters: FloatBuffer, gradients: FloatBuffer, learningRate lr: Float, t: Int, parts: Int = 1) {
        precondition(parameters.count == gradients.count && parameters.count == slots[0].count, "optimizer shapes")
        parallelFor(parts) { part in
            update(share(part, of: parts, count: parameters.count), parameters: parameters.base, gradients: gradients.base, lr: lr, t: t)
        }
    }

    private func update(_ range: Range<Int>, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafeMutablePointer<Float>, lr: Float, t: Int) {
        let decay = lr * config.weightDecay
        switch kind {
        case .adam:
            let (b1, b2, eps) = (config.beta1, config.beta2, config.epsilon)
            let m = slots[0].base, v = slots[1].base
            let c1 = 1 / (1 - Float(Double(b1).power(t))), c2 = 1 / (1 - Float(Double(b2).power(t)))
            for i in range {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                p[i] -= lr * (m[i] * c1) / ((v[i] * c2).squareRoot() + eps) + decay * p[i]
            }
        case .rmsprop:
            let (alpha, eps) = (config.rmsDecay, config.epsilon)
            let v = slots[0].base
            for i in range {
                v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i]
                p[i] -= lr * g[i] / (v[i].squareRoot() + eps) + decay * p[i]
            }
        case .sgd:
            let mu = config.momentum
            let b = slots[0].base
            for i in range {
                b[i] = mu * b[i] + g[i]
                p[i] -= lr * b[i] + decay * p[i]
            }
        }
    }
}

extension Double {
    /// self^n for a non-negative integer n, exact for the small n of bias correction and stable for large n.
    func power(_ n: Int) -> Double {
        var result = 1.0, base = self, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}

/// The gradient's global L2 norm over every parameter; scales the gradient down to `maxNorm` when above it
/// (`maxNorm` = 0 only measures). Returns the norm before clipping, so a NaN or infinite gradient shows in it.
/// `parts` cores (`parallelFor`) each sum and scale a share of the gradient.
public func clipGradientNorm(_ gradients: FloatBuffer, maxNorm: Float, parts: Int = 1) -> Float {
    let g = gradients.base
    let norm = withUnsafeTemporaryAllocation(of: Double.self, capacity: max(parts, 1)) { sums in
        parallelFor(parts) { part in
            var sum: Double = 0
            for i in share(part, of: parts, count: gradients.count) { sum += Double(g[i] * g[i]) }
            sums[part] = sum
        }
        return Float(sums.reduce(0, +).squareRoot())
    }
    if maxNorm > 0 && norm > maxNorm {
        let scale = maxNorm / norm
        parallelFor(parts) { part in
            for i in share(part, of: parts, count: gradients.count) { g[i] *= scale }
        }
    }
    return norm
}
