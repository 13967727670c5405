import CharInference
import Foundation

/// The models shipped in `Models/`, each the default of the commands it suits.
enum ShippedModel {
    /// `Models/default.safetensors`, trained on tiny-shakespeare: the default of `sample`, `eval` and `bench`.
    case shakespeare
    /// `Models/keyboard.safetensors`, trained on modern English (int8 weights; `keyboard-fp32.safetensors` beside it
    /// is the file to fine-tune from): the default of `predict`, `keyboard` and `eval --keyboard`.
    case keyboard

    /// The file, relative to the package root.
    var relativePath: String {
        switch self {
        case .shakespeare: "Models/default.safetensors"
        case .keyboard: "Models/keyboard.safetensors"
        }
    }

    /// The environment variable that replaces it.
    var environmentVariable: String {
        switch self {
        case .shakespeare: "CHARNN_MODEL"
        case .keyboard: "CHARNN_KEYBOARD_MODEL"
        }
    }

    /// The file: `$environmentVariable` if set, else `relativePath` found above the executable (as in a source
    /// checkout's `.build/release/charnn`) or in the source tree this binary was built from.
    func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty { return try RunPointer.resolve(path) }
        var folder = CharnnExecutable.url.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        // This file is Sources/charnn/Options/ShippedModel.swift: four levels below the package root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let source = root.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: source.path) { return source }
        throw CLIError.failed("no model given and the shipped model \(relativePath) was not found; pass --model or set \(environmentVariable)")
    }
}
