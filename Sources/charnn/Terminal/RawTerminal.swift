#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal's settings before raw mode, for the signal handler to put back; only touched while no other
/// thread uses the terminal (the tool is single-threaded).
nonisolated(unsafe) private var savedSettings = termios()

/// The terminal on standard input in raw mode: keys arrive one byte at a time, unechoed, Ctrl-C and Ctrl-Z as
/// plain bytes. `restore()` (also run on SIGINT, SIGTERM and SIGHUP, which then exit) puts the settings back.
struct RawTerminal {
    /// Whether standard input and standard output are both terminals.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Switches standard input to raw mode and installs the restoring signal handlers.
    static func enter() throws -> RawTerminal {
        guard tcgetattr(STDIN_FILENO, &savedSettings) == 0 else {
            throw CLIError.failed("cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        var raw = savedSettings
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        // Output as written: the drawing says "\r\n" itself.
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else {
            throw CLIError.failed("cannot switch the terminal to raw mode: \(String(cString: strerror(errno)))")
        }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                // Only async-signal-safe calls here: tcsetattr, write and _exit.
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedSettings)
                _ = "\r\n\u{1B}[J".withCString { write(STDOUT_FILENO, $0, strlen($0)) }
                _exit(128 + received)
            }
        }
        // Blocked, they would leave the terminal raw on a Ctrl-C from outside.
        unblock([SIGINT, SIGTERM, SIGHUP])
        return RawTerminal()
    }

    /// Puts the terminal's settings back and the default signal actions.
    func restore() {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedSettings)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { signal(signalNumber, SIG_DFL) }
    }

    /// The terminal's width in columns (80 when it does not say).
    var columns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Writes `text` to standard output at once.
    func show(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The next byte from the keyboard, or nil at end of input.
    func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 1 { return byte }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Whether another byte arrives within `milliseconds`: tells a lone Esc from the start of an escape sequence.
    func hasInput(within milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// The next key: a character (its UTF-8 bytes assembled), a control byte, or nil at end of input.
    func readKey() -> Key? {
        guard let lead = readByte() else { return nil }
        if lead == 0x1B {
            guard hasInput(within: 30) else { return .escape }
            // An escape sequence (arrows, function keys): read it to its final byte and ignore it.
            guard let second = readByte() else { return nil }
            if second == UInt8(ascii: "[") || second == UInt8(ascii: "O") {
                while let byte = readByte(), !(0x40...0x7E).contains(byte) {}
            }
            return .ignored
        }
        if lead < 0x20 || lead == 0x7F { return .control(lead) }
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length > 0 else { return .ignored }
        var bytes = [lead]
        while bytes.count < length, let byte = readByte() { bytes.append(byte) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .ignored }
        return .text(text)
    }

    /// What one key press gave.
    enum Key: Equatable {
        case text(String)
        case control(UInt8)
        case escape
        case ignored
    }
}
