import CharInference

/// `GET /v1/models`'s answer: each loaded model's configuration and vocabulary, and the ICU and Unicode versions
/// that segmented its corpus beside those this server segments with.
struct ModelsResponse: Encodable, Sendable {
    /// One loaded model.
    struct Model: Encodable, Sendable {
        /// Its name in requests' `model` field.
        var name: String
        /// The file it was loaded from, without its folder.
        var file: String
        /// Its hyperparameters.
        var config: ModelConfig
        /// Ids in its vocabulary, `<unk>` included.
        var vocabularySize: Int
        /// The ICU and Unicode versions its vocabulary was segmented under.
        var versions: UnicodeVersionInfo
        /// The charnn version that wrote its file.
        var charnnVersion: String
    }

    var models: [Model]
    /// The ICU and Unicode versions this server segments text with.
    var versions: UnicodeVersionInfo

    /// The description of every model in `catalog`.
    init(catalog: ModelCatalog) {
        models = catalog.entries.map { entry in
            let loaded = entry.model
            return Model(name: entry.name, file: loaded.url.lastPathComponent, config: loaded.model.config,
                         vocabularySize: loaded.tokenizer.vocabulary.count, versions: loaded.tokenizer.vocabulary.versions,
                         charnnVersion: loaded.file.charnnVersion)
        }
        versions = .current
    }
}
