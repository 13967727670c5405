import ArgumentParser

/// A length of time on the command line: `90` or `90s` (seconds), `10m`, `1.5h`.
struct DurationArgument: ExpressibleByArgument {
    let seconds: Double

    init?(argument: String) {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var text = argument
        var scale = 1.0
        if let last = text.last, let unit = units[last] {
            scale = unit
            text.removeLast()
        }
        guard let value = Double(text), value > 0, value.isFinite else { return nil }
        seconds = value * scale
    }
}
