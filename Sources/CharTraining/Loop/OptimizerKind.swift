/// The optimizers `Trainer` can use.
public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
    /// Adam (Kingma and Ba), with decoupled weight decay when `weightDecay` > 0: the default.
    case adam
    /// RMSProp as PyTorch implements it (no momentum, no centering).
    case rmsprop
    /// Stochastic gradient descent with momentum.
    case sgd
}
