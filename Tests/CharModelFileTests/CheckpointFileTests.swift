import Foundation
import Testing
@testable import CharModelFile
import TestSupport

@Suite struct CheckpointFileTests {
    private struct ModelSettings: Codable, Equatable {
        var hidden: Int
        var layers: Int
        var dropout: Float
        var name: String
    }

    private func sampleTensors() throws -> [SafetensorsTensor] {
        [
            try SafetensorsTensor(name: "embedding.weight", shape: [5, 3], floats: (0..<15).map { Float($0) * 0.25 - 1 }),
            try SafetensorsTensor(name: "lstm.weight_ih_l0", shape: [8, 3], floats: (0..<24).map { sin(Float($0)) }),
            try SafetensorsTensor(name: "lstm.bias_ih_l0", shape: [8], floats: [0, -0.0, .leastNormalMagnitude / 4, .greatestFiniteMagnitude, -1, 2, 3, .pi]),
            try SafetensorsTensor(name: "decoder.bias", shape: [5], floats: [0.1, 0.2, 0.3, 0.4, 0.5]),
            try SafetensorsTensor(name: "optimizer.state", shape: [2], floats: [1234, -0.5]),
        ]
    }

    private func sampleMetadata() throws -> [String: String] {
        [
            "model_config": try CheckpointFile.encodeJSON(ModelSettings(hidden: 8, layers: 1, dropout: 0.1, name: "tiny \"one\"")),
            "vocabulary": #"["a","é","👨‍👩‍👧","\n"]"#,
            "step": "100",
        ]
    }

    /// Writes the sample checkpoint, returns its URL and bytes.
    private func writeSample(in directory: URL, name: String = "step-100.safetensors") throws -> (URL, [UInt8]) {
        let url = directory.appendingPathComponent(name)
        try CheckpointFile.write(tensors: sampleTensors(), metadata: sampleMetadata(), to: url)
        return (url, try DurableFile.read(from: url))
    }

    private func readError(_ url: URL) -> CheckpointError? {
        do {
            _ = try CheckpointFile.read(from: url)
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    private func decodingError(_ bytes: [UInt8], path: String) -> CheckpointError? {
        do {
            _ = try CheckpointFile.decode(bytes, path: path)
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    @Test func roundTripIsExactAndRewritesAreByteIdentical() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            let checkpoint = try CheckpointFile.read(from: url)
            #expect(checkpoint.tensors == (try sampleTensors()))
            #expect(checkpoint.metadata == (try sampleMetadata()))
            #expect(checkpoint.path == url.path)
            #expect(try checkpoint.tensor(named: "lstm.bias_ih_l0").floats?.map(\.bitPattern)
                == (try sampleTensors())[2].floats?.map(\.bitPattern))
            #expect(try checkpoint.decodeJSON(ModelSettings.self, forKey: "model_config")
                == ModelSettings(hidden: 8, layers: 1, dropout: 0.1, name: "tiny \"one\""))

            let again = directory.appendingPathComponent("again.safetensors")
            try CheckpointFile.write(tensors: checkpoint.tensors, metadata: checkpoint.metadata, to: again)
            #expect(try DurableFile.read(from: again) == bytes)
            #expect(try contents(of: directory) == ["again.safetensors", "step-100.safetensors"])
        }
    }

    @Test func theFileIsPlainSafetensorsWithVersionAndChecksum() throws {
        try withTemporaryDirectory { directory in
            let (url, _) = try writeSample(in: directory)
            let file = try SafetensorsFile(contentsOf: url)
            #expect(file.metadata["format_version"] == "1")
            let checksum = try #require(file.metadata["checksum"])
            #expect(checksum.hasPrefix("xxh64:") && checksum.count == 22)
            var unsigned = file.metadata
            unsigned["checksum"] = nil
            let expected = Checksum.hash(try SafetensorsFile(tensors: file.tensors, metadata: unsigned).encoded())
            #expect(checksum == "xxh64:" + String(repeating: "0", count: 16 - String(expected, radix: 16).count) + String(expected, radix: 16))
        }
    }

    @Test func everyTruncationIsRefused() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            let path = url.path
            let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
            let sizes = try sampleTensors().map(\.byteCount)
            for length in [0, 1, 7, 8, 9, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1, headerEnd + 60, bytes.count - 1] {
                let expected: SafetensorsError
                if length < 8 {
                    expected = .fileTooShort(path: path, size: length)
                } else if length < headerEnd {
                    expected = .headerBeyondFile(path: path, headerLength: UInt64(headerEnd - 8), fileSize: length)
                } else {
                    let dataSize = length - headerEnd
                    var begin = 0
                    var index = 0
                    while begin + sizes[index] <= dataSize {
                        begin += sizes[index]
                        index += 1
                    }
                    let name = try sampleTensors()[index].name
                    expected = .offsetsOutOfRange(path: path, tensor: name, begin: begin, end: begin + sizes[index], dataSize: dataSize)
                }
                #expect(decodingError(Array(bytes[0..<length]), path: path) == .damaged(path: path, problem: expected.problem),
                        "truncated to \(length) bytes")
            }
        }
    }

    @Test func truncationMessageNamesTheFile() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            try Data(bytes.dropLast(4)).write(to: url)
            #expect(readError(url).map(String.init(describing:))
                == "checkpoint \(url.path) is damaged: tensor 'optimizer.state' occupies bytes 208..<216 of the data section, which holds only 212 bytes (file truncated?)")
        }
    }

    @Test func aFlippedBitAnywhereIsRefused() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            let stored = try #require(try SafetensorsFile(contentsOf: url).metadata["checksum"])
            let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
            for index in bytes.indices {
                for mask: UInt8 in [0x01, 0x80] {
                    var damaged = bytes
                    damaged[index] ^= mask
                    let error = decodingError(damaged, path: url.path)
                    #expect(error != nil, "bit flip 0x\(String(mask, radix: 16)) at byte \(index) was not detected")
                    if index >= headerEnd, case let .checksumMismatch(path, recorded, computed) = error {
                        #expect(path == url.path && recorded == stored && computed != stored)
                    } else if index >= headerEnd {
                        Issue.record("a flip in tensor data at byte \(index) gave \(String(describing: error))")
                    }
                }
            }
        }
    }

    @Test func aFlippedDataByteReadsAsChecksumMismatch() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            var damaged = bytes
            damaged[bytes.count - 20] ^= 0x10
            try Data(damaged).write(to: url)
            let message = try #require(readError(url)).description
            #expect(message.hasPrefix("checkpoint \(url.path) is damaged: checksum mismatch (file truncated or modified): it records xxh64:"))
        }
    }

    @Test func aFlippedHeaderByteReadsAsInvalidJSON() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            var damaged = bytes
            let colon = try #require(bytes.firstIndex(of: UInt8(ascii: ":")))
            damaged[colon] = UInt8(ascii: ";")
            try Data(damaged).write(to: url)
            #expect(readError(url)?.description
                == "checkpoint \(url.path) is damaged: its header is not valid JSON: invalid value around character \(colon - 8) of the header")
        }
    }

    @Test func aFlippedTensorNameIsCaughtByTheChecksum() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            let name = Array("decoder.bias".utf8)
            let start = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<$0 + name.count]) == name })
            var damaged = bytes
            damaged[start] = UInt8(ascii: "e")
            try Data(damaged).write(to: url)
            guard case .checksumMismatch = readError(url) else {
                Issue.record("a renamed tensor gave \(String(describing: readError(url)))")
                return
            }
        }
    }

    @Test func anotherFormatVersionIsRefusedByName() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("future.safetensors")
            try SafetensorsFile(tensors: sampleTensors(), metadata: ["format_version": "2", "checksum": "xxh64:0"]).write(to: url)
            let error = readError(url)
            #expect(error == .unsupportedVersion(path: url.path, version: "2"))
            #expect(error?.description == "checkpoint \(url.path) was written by format version 2; this charnn reads version 1")
        }
    }

    @Test func aPlainSafetensorsFileIsNotACheckpoint() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("plain.safetensors")
            try SafetensorsFile(tensors: sampleTensors(), metadata: ["format": "pt"]).write(to: url)
            #expect(readError(url) == .missingMetadata(path: url.path, key: "format_version"))
            try SafetensorsFile(tensors: sampleTensors(), metadata: ["format_version": "1"]).write(to: url)
            #expect(readError(url) == .missingMetadata(path: url.path, key: "checksum"))
            #expect(readError(url)?.description == "checkpoint \(url.path) has no 'checksum' metadata entry; was it written by charnn?")
        }
    }

    @Test func metadataJSONErrorsNameTheKey() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("meta.safetensors")
            try CheckpointFile.write(
                tensors: [], metadata: ["model_config": #"{"hidden": 8,"#, "wrong_type": #"{"hidden":"8","layers":1,"dropout":0,"name":""}"#,
                                        "missing_key": #"{"hidden":8}"#], to: url)
            let checkpoint = try CheckpointFile.read(from: url)
            let prefix = "checkpoint \(url.path): metadata key 'model_config' is not valid JSON: "
            do {
                _ = try checkpoint.decodeJSON(ModelSettings.self, forKey: "model_config")
                Issue.record("malformed JSON was accepted")
            } catch let error as CheckpointError {
                guard case let .invalidMetadataJSON(path, key, reason) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(path == url.path && key == "model_config" && !reason.isEmpty && !reason.contains("\n"))
                #expect(error.description == prefix + reason)
            }
            #expect(throws: CheckpointError.invalidMetadataJSON(path: url.path, key: "wrong_type", reason: "expected Int at 'hidden'")) {
                try checkpoint.decodeJSON(ModelSettings.self, forKey: "wrong_type")
            }
            #expect(throws: CheckpointError.invalidMetadataJSON(path: url.path, key: "missing_key", reason: "missing key 'layers'")) {
                try checkpoint.decodeJSON(ModelSettings.self, forKey: "missing_key")
            }
            #expect(throws: CheckpointError.missingMetadata(path: url.path, key: "absent")) {
                try checkpoint.decodeJSON(ModelSettings.self, forKey: "absent")
            }
            #expect(throws: CheckpointError.missingTensor(path: url.path, name: "decoder.weight")) {
                try checkpoint.tensor(named: "decoder.weight")
            }
        }
    }

    @Test func encodingJSONIsDeterministicAndRefusesNaN() throws {
        let settings = ModelSettings(hidden: 8, layers: 2, dropout: 0.25, name: "a/b")
        #expect(try CheckpointFile.encodeJSON(settings) == #"{"dropout":0.25,"hidden":8,"layers":2,"name":"a/b"}"#)
        #expect(throws: CheckpointError.self) {
            try CheckpointFile.encodeJSON(ModelSettings(hidden: 1, layers: 1, dropout: .nan, name: ""))
        }
    }

    @Test func reservedMetadataKeysAreRefusedBeforeWriting() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("x.safetensors")
            for key in ["format_version", "checksum"] {
                #expect(throws: CheckpointError.reservedMetadataKey(key: key)) {
                    try CheckpointFile.write(tensors: [], metadata: [key: "mine"], to: url)
                }
            }
            let remaining = try contents(of: directory)
            #expect(remaining.isEmpty)
        }
    }

    @Test func aFailedWriteKeepsThePreviousCheckpoint() throws {
        try withTemporaryDirectory { directory in
            let (url, bytes) = try writeSample(in: directory)
            let duplicate = try SafetensorsTensor(name: "w", shape: [1], floats: [1])
            #expect(throws: SafetensorsError.duplicateTensor(name: "w")) {
                try CheckpointFile.write(tensors: [duplicate, duplicate], metadata: [:], to: url)
            }
            let blocked = directory.appendingPathComponent("not-a-folder/step-200.safetensors")
            try Data("file".utf8).write(to: directory.appendingPathComponent("not-a-folder"))
            #expect(throws: DurableFileError.self) {
                try CheckpointFile.write(tensors: sampleTensors(), metadata: [:], to: blocked)
            }
            #expect(try DurableFile.read(from: url) == bytes)
            #expect(try CheckpointFile.read(from: url).tensors == (try sampleTensors()))
            #expect(try contents(of: directory) == ["not-a-folder", "step-100.safetensors"])
        }
    }
}
