#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The learning rate at a point of a run, from the base rate in `TrainingConfig` and the schedule it names.
public struct LearningRateSchedule: Sendable {
    let config: TrainingConfig
    /// Iterations the cosine schedule spans: the planned length of the run.
    let plannedIterations: Int

    /// A schedule for a run of `plannedIterations` iterations.
    public init(config: TrainingConfig, plannedIterations: Int) {
        self.config = config
        self.plannedIterations = max(1, plannedIterations)
    }

    /// The rate for iteration `step` (0-based) in epoch `epoch` (0-based), `elapsed` seconds into the run.
    /// A run limited by time (`maxSeconds`) reaches the cosine's end when its time is up, if that comes first.
    public func rate(step: Int, epoch: Int, elapsed: Double = 0) -> Float {
        let base = config.learningRate
        switch config.schedule {
        case .constant:
            return base
        case .step:
            return base * Float(Double(config.decayFactor).power(epoch / config.decayEveryEpochs))
        case .cosine:
            let byTime = config.maxSeconds.map { elapsed / $0 } ?? 0
            let progress = min(1, max(Double(step) / Double(plannedIterations), byTime))
            let floor = Double(config.minLearningRateFactor)
            return base * Float(floor + (1 - floor) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}
