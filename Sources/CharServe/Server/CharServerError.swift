/// Why a server could not run.
public enum CharServerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The address could not be listened on (in use, unknown, not this machine's); `reason` is the system's word.
    case cannotListen(host: String, port: Int, reason: String)

    /// The problem and what to do: "cannot listen on 127.0.0.1:8080 (...); choose another --port or --host".
    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port) (\(reason)); choose another --port or --host"
        }
    }
}
