import CharInference

/// The models a server answers with, each loaded once and shared, read-only, by every request: "default" (for
/// sampling and evaluation) and, when given, "keyboard" (for prediction). A request may name either in its `model`
/// field.
public struct ModelCatalog: Sendable {
    /// A loaded model and the name requests use for it.
    public struct Entry: Sendable {
        /// What requests call it: "default" or "keyboard".
        public let name: String
        /// The model, shared by every request that uses it.
        public let model: TrainedModel
    }

    /// The loaded models, "default" first.
    public let entries: [Entry]

    /// A catalog of `default` and, if given, `keyboard`; without a keyboard model, prediction uses the default one.
    public init(default: TrainedModel, keyboard: TrainedModel? = nil) {
        entries = [Entry(name: "default", model: `default`)] + (keyboard.map { [Entry(name: "keyboard", model: $0)] } ?? [])
    }

    /// The model that sampling and evaluation use when a request names none.
    var textEntry: Entry { entries[0] }

    /// The model that prediction uses when a request names none: the keyboard model if there is one.
    var keyboardEntry: Entry { entries.last! }

    /// The entry `name` names, or `fallback` when it is nil; a name not loaded is an error on the `model` field.
    func entry(named name: String?, else fallback: Entry) throws(ServeError) -> Entry {
        guard let name else { return fallback }
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw .invalidField("model", "no model named \(name.debugDescription) is loaded; the models are "
                                + entries.map { $0.name.debugDescription }.joined(separator: " and "))
        }
        return entry
    }
}
