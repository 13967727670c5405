/// A server setting that cannot be used, named as `charnn serve`'s option for it.
public enum ServeConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A setting out of its range.
    case outOfRange(setting: String, value: String, expected: String)

    /// The problem as `charnn serve` reports it: "invalid value 0 for --max-in-flight: expected at least 1".
    public var description: String {
        switch self {
        case .outOfRange(let setting, let value, let expected): "invalid value \(value) for --\(setting): expected \(expected)"
        }
    }
}
