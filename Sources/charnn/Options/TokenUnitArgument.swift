import ArgumentParser
import CharTokenizer

/// Lets `--unit grapheme|scalar` parse straight into the tokenizer's unit.
extension TokenUnit: ExpressibleByArgument {}
