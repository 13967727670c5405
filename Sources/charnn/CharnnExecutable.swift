import Foundation

/// Where the running `charnn` binary is, to start copies of it as child processes.
enum CharnnExecutable {
    static var url: URL {
        #if os(Linux)
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
    }
}
