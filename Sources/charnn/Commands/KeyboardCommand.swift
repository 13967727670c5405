import ArgumentParser
import CharInference
import CharTokenizer

/// `charnn keyboard`: type in the terminal with live suggestions under the line.
struct KeyboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyboard",
        abstract: "Type with live next-grapheme and word suggestions (interactive).",
        discussion: """
        Keys: Tab accepts the first word suggestion and the digits 1-9 (0 for the tenth) pick one; a picked word is \
        entered with a space after it, which moves behind punctuation typed next. Backspace deletes the last \
        grapheme; Enter types a line feed; Ctrl-D or Esc quits (so does Ctrl-C). The text typed is printed when it \
        quits. Needs a terminal on standard input and output.
        """
    )

    @OptionGroup var model: ModelSource
    @Option(help: ArgumentHelp("Word suggestions to offer (as many as fit the terminal are shown), 1 to 10.", valueName: "n"))
    var slots = KeyboardSimulation.defaultSlots
    @Option(help: ArgumentHelp("Longest completion, in graphemes.", valueName: "n")) var maxLength = 16
    @OptionGroup var profile: ProfileOption

    /// Graphemes of the text shown on the line (the newest).
    private static let shownGraphemes = 60
    /// Punctuation that takes the place of a suggestion's automatic space, as phone keyboards do: "word ," becomes "word, ".
    private static let spaceTakers: Set<String> = [".", ",", "!", "?", ";", ":"]

    func validate() throws {
        guard (1...10).contains(slots) else { throw CLIError.invalidValue(option: "--slots", value: "\(slots)", expected: "1 to 10") }
        guard (1...64).contains(maxLength) else {
            throw CLIError.invalidValue(option: "--max-length", value: "\(maxLength)", expected: "1 to 64 graphemes")
        }
    }

    func run() throws {
        guard RawTerminal.isInteractive else {
            throw CLIError.failed("charnn keyboard needs a terminal on standard input and output; for scripts use charnn predict TEXT")
        }
        let loaded = try model.load(default: .keyboard)
        let session = try profile.open(for: loaded.model)
        let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer, personalisation: session.personalisation)
        let terminal = try RawTerminal.enter()
        defer { terminal.restore() }
        terminal.show("charnn keyboard: Tab accepts, digits pick, Backspace deletes, Ctrl-D or Esc quits\r\n\r\n\r\n\u{1B}[2A")
        var completions = draw(predictor, on: terminal)
        // Whether the last grapheme is the space a picked suggestion added.
        var autoSpace = false
        loop: while let key = terminal.readKey() {
            var picked: WordCompletion?
            switch key {
            case .escape, .control(0x04), .control(0x03):
                break loop
            case .control(0x09):
                picked = completions.first
            case .control(0x7F), .control(0x08):
                predictor.deleteBackward()
            case .control(0x0D), .control(0x0A):
                predictor.append("\n")
            case .text(let text):
                if let digit = Int(text), text.count == 1, case let slot = digit == 0 ? 10 : digit, slot <= completions.count {
                    picked = completions[slot - 1]
                } else if autoSpace && Self.spaceTakers.contains(text) {
                    predictor.deleteBackward()
                    predictor.append(text + " ")
                } else {
                    predictor.append(text)
                }
            case .control, .ignored:
                continue
            }
            if let picked { predictor.append(picked.suffix + " ") }
            autoSpace = picked != nil
            completions = draw(predictor, on: terminal)
        }
        terminal.show("\r\u{1B}[J")
        terminal.restore()
        terminal.show(predictor.text + "\n")
        try session.save()
    }

    /// Redraws the line and the two suggestion lines under it (as many word suggestions as fit the terminal's
    /// width), leaving the cursor at the end of the text.
    private func draw(_ predictor: Predictor, on terminal: RawTerminal) -> [WordCompletion] {
        let next = predictor.nextGraphemes(k: 5)
        let offered = predictor.completions(k: slots, maxLength: maxLength)
        let shown = predictor.tokenizer.units(of: predictor.text).suffix(Self.shownGraphemes).map(GraphemeDisplay.escaped).joined()
        // A space would be invisible in the list: it is shown as the open box.
        let nextLine = next.map { "\($0.grapheme == " " ? "\u{2423}" : GraphemeDisplay.escaped($0.grapheme)) \(Int(($0.probability * 100).rounded()))%" }
            .joined(separator: "  ")
        var completions: [WordCompletion] = []
        var completionLine = ""
        for (index, completion) in offered.enumerated() {
            let item = "\((index + 1) % 10): \(GraphemeDisplay.escaped(completion.word))"
            let line = completionLine.isEmpty ? item : completionLine + "  " + item
            guard 9 + line.count <= terminal.columns || completions.isEmpty else { break }
            completionLine = line
            completions.append(completion)
        }
        terminal.show("\r\u{1B}[J> \(shown)\u{1B}7\r\n  next: \(nextLine)\r\n  words: \(completionLine)\u{1B}8")
        return completions
    }
}
