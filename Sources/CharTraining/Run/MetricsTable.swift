import Foundation

/// The run's `metrics.csv`: one row per evaluation, with a header, rewritten whole from the loss history so that a
/// resumed run's file is the same as an uninterrupted one's.
public enum MetricsTable {
    /// The CSV text for `records`.
    public static func csv(_ records: [MetricsRecord]) -> String {
        var lines = ["step,epoch,train_loss,validation_loss,learning_rate,chars_per_second,elapsed_seconds"]
        for r in records {
            let validation = r.validationLoss.map { String(format: "%.6f", $0) } ?? ""
            lines.append(String(format: "%d,%d,%.6f,%@,%.6g,%.0f,%.1f", r.step, r.epoch, r.trainLoss, validation,
                                r.learningRate, r.charsPerSecond, r.elapsedSeconds))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
