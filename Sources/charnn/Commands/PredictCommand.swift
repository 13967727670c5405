import ArgumentParser
import CharInference
import CharTokenizer
import Foundation

/// `charnn predict`: the most likely next graphemes and word completions after a text.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Suggest the next graphemes and word completions after a text.",
        discussion: """
        The text is fed to the model as a keyboard would (see Predictor). Completions finish the word at the end of \
        the text, or after a space give the most likely next words; words end where ICU's word rules put a boundary, \
        so languages written without spaces work too. A completion's probability is that of its graphemes times the \
        probability that a new word starts after it.
        """
    )

    @OptionGroup var model: ModelSource
    @Option(help: ArgumentHelp("Suggestions of each kind.", valueName: "n")) var k = 5
    @Option(help: ArgumentHelp("Longest completion, in graphemes.", valueName: "n")) var maxLength = 16
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var profile: ProfileOption
    @Argument(help: "The text typed so far.") var text: String

    func validate() throws {
        guard (1...100).contains(k) else { throw CLIError.invalidValue(option: "--k", value: "\(k)", expected: "1 to 100") }
        guard (1...64).contains(maxLength) else {
            throw CLIError.invalidValue(option: "--max-length", value: "\(maxLength)", expected: "1 to 64 graphemes")
        }
    }

    struct Output: Codable {
        var model: String
        var text: String
        var word: String
        var next: [GraphemePrediction]
        var completions: [WordCompletion]
        var exact: Bool
    }

    func run() throws {
        let loaded = try model.load(default: .keyboard)
        let session = try profile.open(for: loaded.model)
        // One answer, not one per keystroke: a search budget large enough to be exact nearly always.
        let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer,
                                      configuration: Predictor.Configuration(searchBudget: 256),
                                      personalisation: session.personalisation)
        predictor.append(text)
        try session.save()
        let next = predictor.nextGraphemes(k: k)
        let completions = predictor.completions(k: k, maxLength: maxLength)
        if json {
            try printJSON(Output(model: loaded.url.path, text: text, word: predictor.currentWord, next: next,
                                 completions: completions, exact: predictor.lastSearchWasExact))
            return
        }
        print("next graphemes:")
        for prediction in next {
            print("  \(padded(quoted(prediction.grapheme), to: 8)) \(percent(prediction.probability))")
        }
        let word = predictor.currentWord
        print(word.isEmpty ? "next words:" : "completions of \(quoted(word)):")
        for completion in completions {
            print("  \(padded(quoted(completion.word), to: 20)) \(percent(completion.probability))")
        }
        if !predictor.lastSearchWasExact { log("note: the completion search stopped at its step budget; the list may miss some") }
    }
}
