/// A failure the command line reports as one line, `error: <message>`, with a non-zero exit.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
