import ArgumentParser
import CharInference
import CharTokenizer

/// `charnn keyboard`: type in the terminal with live suggestions under the line.
struct KeyboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyboard",
        abstract: "Type with live next-grapheme and word suggestions (interactive).",
        discussion: """
        Keys: Tab accepts the first completion; 1, 2, 3 pick a completion (or type the digit when there is none); \
        Backspace deletes the last grapheme; Enter types a line feed; Ctrl-D or Esc quits (so does Ctrl-C). \
        The text typed is printed when it quits. Needs a terminal on standard input and output.
        """
    )

    @OptionGroup var model: ModelSource
    @Option(help: ArgumentHelp("Longest completion, in graphemes.", valueName: "n")) var maxLength = 16

    /// Graphemes of the text shown on the line (the newest).
    private static let shownGraphemes = 60

    func validate() throws {
        guard (1...64).contains(maxLength) else {
            throw CLIError.invalidValue(option: "--max-length", value: "\(maxLength)", expected: "1 to 64 graphemes")
        }
    }

    func run() throws {
        guard RawTerminal.isInteractive else {
            throw CLIError.failed("charnn keyboard needs a terminal on standard input and output; for scripts use charnn predict TEXT")
        }
        let loaded = try model.load()
        let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer)
        let terminal = try RawTerminal.enter()
        defer { terminal.restore() }
        terminal.show("charnn keyboard: Tab accepts, 1-3 pick, Backspace deletes, Ctrl-D or Esc quits\r\n\r\n\r\n\u{1B}[2A")
        var completions = draw(predictor, on: terminal)
        loop: while let key = terminal.readKey() {
            switch key {
            case .escape, .control(0x04), .control(0x03):
                break loop
            case .control(0x09):
                if let first = completions.first { predictor.append(first.suffix) }
            case .control(0x7F), .control(0x08):
                predictor.deleteBackward()
            case .control(0x0D), .control(0x0A):
                predictor.append("\n")
            case .text(let text):
                if let digit = Int(text), (1...3).contains(digit), digit <= completions.count {
                    predictor.append(completions[digit - 1].suffix)
                } else {
                    predictor.append(text)
                }
            case .control, .ignored:
                continue
            }
            completions = draw(predictor, on: terminal)
        }
        terminal.show("\r\u{1B}[J")
        terminal.restore()
        terminal.show(predictor.text + "\n")
    }

    /// Redraws the line and the two suggestion lines under it, leaving the cursor at the end of the text.
    private func draw(_ predictor: Predictor, on terminal: RawTerminal) -> [WordCompletion] {
        let next = predictor.nextGraphemes(k: 5)
        let completions = predictor.completions(k: 3, maxLength: maxLength)
        let shown = predictor.tokenizer.units(of: predictor.text).suffix(Self.shownGraphemes).map(GraphemeDisplay.escaped).joined()
        // A space would be invisible in the list: it is shown as the open box.
        let nextLine = next.map { "\($0.grapheme == " " ? "\u{2423}" : GraphemeDisplay.escaped($0.grapheme)) \(Int(($0.probability * 100).rounded()))%" }
            .joined(separator: "  ")
        let completionLine = completions.enumerated().map { "\($0.offset + 1): \($0.element.word)" }.joined(separator: "  ")
        terminal.show("\r\u{1B}[J> \(shown)\u{1B}7\r\n  next: \(nextLine)\r\n  words: \(completionLine)\u{1B}8")
        return completions
    }
}
