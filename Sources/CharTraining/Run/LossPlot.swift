import Foundation

/// The loss curve as a standalone SVG: training and validation loss (nats per grapheme) against the step, with
/// labelled axes, ticks and a legend. Plain text, so any browser shows it and git diffs it.
public enum LossPlot {
    /// An SVG of `records`; an empty history gives axes with no lines.
    public static func svg(_ records: [MetricsRecord], title: String) -> String {
        let (width, height) = (720.0, 420.0)
        let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0)
        let plotW = width - left - right, plotH = height - top - bottom
        let losses = records.flatMap { [$0.trainLoss] + ($0.validationLoss.map { [$0] } ?? []) }.map(Double.init)
        let maxStep = Double(max(records.map(\.step).max() ?? 1, 1))
        let lo = (losses.min() ?? 0), hi = (losses.max() ?? 1)
        let (yMin, yMax) = lo == hi ? (lo - 0.5, hi + 0.5) : (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        func x(_ step: Int) -> Double { left + Double(step) / maxStep * plotW }
        func y(_ loss: Double) -> Double { top + (1 - (loss - yMin) / (yMax - yMin)) * plotH }
        func polyline(_ points: [(Int, Double)], color: String) -> String {
            guard !points.isEmpty else { return "" }
            let coordinates = points.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates)\"/>"
        }
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>",
            String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#333\"/>", left, top, plotW, plotH),
        ]
        for i in 0...4 {
            let value = yMin + Double(i) / 4 * (yMax - yMin)
            svg.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>", left - 6, y(value) + 4, value))
            let step = Int((Double(i) / 4 * maxStep).rounded())
            svg.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>", x(step), top + plotH + 18, step))
        }
        svg.append("<text x=\"\(left + plotW / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">step</text>")
        svg.append("<text transform=\"translate(16,\(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">loss (nats per grapheme)</text>")
        svg.append(polyline(records.map { ($0.step, Double($0.trainLoss)) }, color: "#1f77b4"))
        svg.append(polyline(records.compactMap { r in r.validationLoss.map { (r.step, Double($0)) } }, color: "#d62728"))
        svg.append("<text x=\"\(left + plotW - 150)\" y=\"\(top + 18)\" fill=\"#1f77b4\">— train (smoothed)</text>")
        svg.append("<text x=\"\(left + plotW - 150)\" y=\"\(top + 34)\" fill=\"#d62728\">— validation</text>")
        svg.append("</svg>")
        return svg.filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
