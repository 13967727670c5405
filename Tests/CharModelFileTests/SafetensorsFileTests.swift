import Foundation
import Testing
@testable import CharModelFile
import TestSupport

@Suite struct SafetensorsFileTests {
    /// A file built by hand: `json` as the header (padded to a multiple of 8 unless `pad` is false), then `data`.
    private func handMade(_ json: String, data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
        var header = Array(json.utf8)
        if pad { header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        return bytes + header + data
    }

    private func decodingError(_ bytes: [UInt8]) -> SafetensorsError? {
        do {
            _ = try SafetensorsFile(decoding: bytes, path: "t.safetensors")
            return nil
        } catch {
            return error as? SafetensorsError
        }
    }

    @Test func headerLayoutIsByteExact() throws {
        let file = try SafetensorsFile(
            tensors: [SafetensorsTensor(name: "a", shape: [2], floats: [1, -2])], metadata: ["k": "v"])
        let json = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        #expect(json.utf8.count == 79)
        let expected: [UInt8] = [80, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + [0x20]
            + [0x00, 0x00, 0x80, 0x3F] + [0x00, 0x00, 0x00, 0xC0]
        #expect(file.encodedHeader() == Array(expected[0..<88]))
        #expect(file.encoded() == expected)
    }

    @Test func withoutMetadataTheHeaderHasNoMetadataEntry() throws {
        let file = try SafetensorsFile(tensors: [SafetensorsTensor(name: "s", shape: [], floats: [3])])
        let json = #"{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        #expect(json.utf8.count == 53)
        #expect(file.encoded() == [56, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + [0x20, 0x20, 0x20] + [0, 0, 0x40, 0x40])
    }

    @Test func metadataKeysAreSortedAndStringsEscaped() throws {
        let file = try SafetensorsFile(
            tensors: [], metadata: ["b": "line\nbreak \"quoted\" back\\slash \u{1} é", "a": "1"])
        let json = #"{"__metadata__":{"a":"1","b":"line\nbreak \"quoted\" back\\slash \u0001 é"}}"#
        let padding = (8 - json.utf8.count % 8) % 8
        #expect(Array(file.encodedHeader().dropFirst(8)) == Array(json.utf8) + repeatElement(0x20, count: padding))
        #expect(try SafetensorsFile(decoding: file.encoded(), path: "t") == file)
    }

    @Test func floatTensorsRoundTripExactly() throws {
        let tensors = [
            try SafetensorsTensor(
                name: "floats", shape: [2, 3],
                floats: [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, Float(bitPattern: 0x7FC0_1234)]),
            try SafetensorsTensor(name: "row", shape: [1, 2], floats: [-.greatestFiniteMagnitude, .leastNormalMagnitude]),
            try SafetensorsTensor(name: "empty", shape: [0, 4], floats: []),
            try SafetensorsTensor(name: "scalar", shape: [], floats: [0.5]),
        ]
        let file = try SafetensorsFile(tensors: tensors, metadata: ["note": "every shape"])
        let decoded = try SafetensorsFile(decoding: file.encoded(), path: "t")
        #expect(decoded == file)
        #expect(decoded.tensors.map(\.name) == ["floats", "row", "empty", "scalar"])
        #expect(decoded.tensors.map(\.dtype) == [.f32, .f32, .f32, .f32])
        #expect(decoded["floats"]?.floats?.map(\.bitPattern) == tensors[0].floats?.map(\.bitPattern))
        #expect(decoded.encoded() == file.encoded())
    }

    @Test func tensorEqualityComparesStoredBytes() throws {
        let nan = try SafetensorsTensor(name: "x", shape: [1], floats: [.nan])
        #expect(nan == (try SafetensorsTensor(name: "x", shape: [1], floats: [.nan])))
        #expect(try SafetensorsTensor(name: "x", shape: [1], floats: [0]) != SafetensorsTensor(name: "x", shape: [1], floats: [-0.0]))
        #expect(try SafetensorsTensor(name: "x", shape: [2], floats: [1, 2]) != SafetensorsTensor(name: "x", shape: [1, 2], floats: [1, 2]))
    }

    @Test func readsForeignLayoutOrderedByOffset() throws {
        let json = """
            {
              "second": {"shape": [1], "dtype": "F32", "data_offsets": [4, 8]},
              "__metadata__": {"format": "pt", "caf\\u00e9": "\\ud83d\\ude00"},
              "first": {"data_offsets": [0, 4], "dtype": "F32", "shape": [1]}
            }
            """
        let file = try SafetensorsFile(decoding: handMade(json, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40], pad: false), path: "t")
        #expect(file.tensors.map(\.name) == ["first", "second"])
        #expect(file["first"]?.floats == [1])
        #expect(file["second"]?.floats == [2])
        #expect(file.metadata == ["format": "pt", "café": "😀"])
    }

    @Test func refusesFilesTooShortForTheHeaderLength() {
        #expect(decodingError([]) == .fileTooShort(path: "t.safetensors", size: 0))
        #expect(decodingError([8, 0, 0, 0, 0, 0, 0]) == .fileTooShort(path: "t.safetensors", size: 7))
        #expect(
            decodingError([8, 0, 0, 0, 0, 0, 0]).map(String.init(describing:))
                == "safetensors file t.safetensors is damaged: it is 7 bytes long, too short to hold the 8-byte header length (file truncated?)")
    }

    @Test func refusesAHeaderLengthBeyondTheFile() {
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D]
        #expect(decodingError(bytes) == .headerBeyondFile(path: "t.safetensors", headerLength: .max, fileSize: 10))
        #expect(decodingError([3, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]) == .headerBeyondFile(path: "t.safetensors", headerLength: 3, fileSize: 10))
    }

    @Test(arguments: [
        (#"{"a":"#, "unexpected end of file during JSON parse"),
        (#"{"a" 1}"#, "invalid value around character 5"),
        (#"{} x"#, "invalid value around character 3"),
        (#"{"__metadata__":{"k":"\q"}}"#, "invalid escape sequence around character 22"),
        (#"{"a":01}"#, "number with leading zero around character 6"),
    ])
    func refusesInvalidJSON(json: String, reason: String) {
        #expect(decodingError(handMade(json, pad: false))
            == .invalidHeader(path: "t.safetensors", reason: "its header is not valid JSON: \(reason) of the header"))
    }

    @Test func refusesInvalidUTF8InTheHeader() {
        var bytes = handMade(#"{"__metadata__":{"k":"??"}}"#, pad: false)
        bytes[8 + 22] = 0xC3
        bytes[8 + 23] = 0x28
        #expect(decodingError(bytes) == .invalidHeader(
            path: "t.safetensors",
            reason: "its header is not valid JSON: invalid UTF-8 sequence 2 bytes starting from character 22 of the header"))
    }

    /// Foundation keeps one of two equal keys; the format forbids them, at any depth and however they are escaped.
    @Test(arguments: [
        (#"{"__metadata__":{"k":"1","k":"2"}}"#, "k"),
        (#"{"__metadata__":{"k":"1"},"__metadata__":{"k":"1"}}"#, "__metadata__"),
        (#"{"__metadata__":{"a\"b":"1","a\u0022b":"2"}}"#, #"a"b"#),
        (#"{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, "dtype"),
    ])
    func refusesARepeatedKey(json: String, key: String) {
        #expect(decodingError(handMade(json, data: [0, 0, 0, 0]))
            == .invalidHeader(path: "t.safetensors", reason: "its header has the key \"\(key)\" twice in one object"))
    }

    @Test func equalValuesInDifferentObjectsAreNotRepeatedKeys() throws {
        let json = #"{"__metadata__":{"dtype":"shape","k":"dtype"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let file = try SafetensorsFile(decoding: handMade(json, data: [0, 0, 0x80, 0x3F]), path: "t.safetensors")
        #expect(file.metadata == ["dtype": "shape", "k": "dtype"])
        #expect(file["a"]?.floats == [1])
    }

    @Test func invalidJSONMessageNamesTheFile() {
        let error = decodingError(handMade(#"{"a" 1}"#, pad: false))
        #expect(
            error.map(String.init(describing:))
                == "safetensors file t.safetensors is damaged: its header is not valid JSON: invalid value around character 5 of the header")
    }

    @Test(arguments: [
        (#"[1]"#, "its header is not a JSON object"),
        (#"{"__metadata__":[]}"#, "its '__metadata__' entry is not a JSON object"),
        (#"{"__metadata__":{"k":1}}"#, "its '__metadata__' entry 'k' is not a string"),
        (#"{"a":1}"#, "tensor 'a' is not described by a JSON object"),
        (#"{"a":{"shape":[],"data_offsets":[0,0]}}"#, "tensor 'a' has no 'dtype'"),
        (#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, "tensor 'a' has no 'shape'"),
        (#"{"a":{"dtype":"F32","shape":[]}}"#, "tensor 'a' has no 'data_offsets'"),
        (#"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"x":0}}"#, "tensor 'a' has an unexpected field 'x'"),
        (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "tensor 'a' has a 'shape' that is not a list of non-negative integers"),
        (#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "tensor 'a' has a 'shape' that is not a list of non-negative integers"),
        (#"{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, "tensor 'a' has a 'shape' that is not a list of non-negative integers"),
        (#"{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}"#, "tensor 'a' has a 'dtype' that is not a string"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "tensor 'a' has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, "tensor 'a' has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, "tensor 'a' has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}"#, "tensor 'a' has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end"),
        (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, "tensor 'a' has a shape [4294967296, 4294967296] too large to address"),
    ])
    func refusesMalformedHeaderStructure(json: String, reason: String) {
        #expect(decodingError(handMade(json, data: [0, 0, 0, 0])) == .invalidHeader(path: "t.safetensors", reason: reason))
    }

    /// charnn reads Float32, and the BF16 and I8 of reduced-precision model files: other types (a PyTorch optimizer's
    /// step, a mask) are refused.
    @Test(arguments: ["F16", "F64", "I64", "I32", "U8", "BOOL"])
    func refusesOtherDTypes(dtype: String) {
        let error = decodingError(handMade(#"{"a":{"dtype":"\#(dtype)","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        #expect(error == .unknownDType(path: "t.safetensors", tensor: "a", dtype: dtype))
        #expect(error?.problem == "tensor 'a' has dtype '\(dtype)'; charnn reads F32, BF16, I8")
    }

    @Test("BF16 and I8 tensors round-trip byte for byte")
    func reducedTypesRoundTrip() throws {
        let file = try SafetensorsFile(tensors: [
            SafetensorsTensor(name: "b", shape: [3], values: .bf16([0x3f80, 0xc000, 0x7fc0])),
            SafetensorsTensor(name: "q", shape: [2, 2], values: .i8([-127, 0, 5, 127])),
        ])
        let decoded = try SafetensorsFile(decoding: file.encoded(), path: "t.safetensors")
        #expect(decoded == file)
        #expect(decoded["q"]?.byteCount == 4 && decoded["b"]?.byteCount == 6 && decoded["q"]?.floats == nil)
    }

    @Test func refusesOffsetsThatDoNotMatchTheShape() {
        let error = decodingError(handMade(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)))
        #expect(error == .sizeMismatch(path: "t.safetensors", tensor: "a", expected: 12, actual: 8))
    }

    @Test func refusesOffsetsBeyondTheData() {
        let error = decodingError(handMade(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]))
        #expect(error == .offsetsOutOfRange(path: "t.safetensors", tensor: "a", begin: 0, end: 8, dataSize: 4))
        #expect(error?.problem == "tensor 'a' occupies bytes 0..<8 of the data section, which holds only 4 bytes (file truncated?)")
    }

    @Test func refusesOverlappingTensors() {
        let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(decodingError(handMade(json, data: Array(repeating: 0, count: 12))) == .overlap(path: "t.safetensors", tensor: "b", other: "a"))
    }

    @Test func refusesBytesThatBelongToNoTensor() {
        let json = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        #expect(decodingError(handMade(json, data: Array(repeating: 0, count: 12))) == .unclaimedBytes(path: "t.safetensors", begin: 4, end: 8))
    }

    @Test func refusesTrailingGarbage() {
        let json = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let error = decodingError(handMade(json, data: [0, 0, 0, 0, 9, 9]))
        #expect(error == .trailingBytes(path: "t.safetensors", count: 2))
        #expect(error?.problem == "2 bytes of trailing garbage follow the last tensor")
    }

    @Test func refusesInconsistentTensors() throws {
        #expect(throws: SafetensorsError.invalidTensor(name: "w", reason: "shape [2, 3] holds 6 elements but 5 values were given")) {
            try SafetensorsTensor(name: "w", shape: [2, 3], floats: [1, 2, 3, 4, 5])
        }
        #expect(throws: SafetensorsError.invalidTensor(name: "w", reason: "shape [-1] has a negative dimension")) {
            try SafetensorsTensor(name: "w", shape: [-1], floats: [])
        }
        let tensor = try SafetensorsTensor(name: "w", shape: [1], floats: [1])
        #expect(throws: SafetensorsError.duplicateTensor(name: "w")) {
            try SafetensorsFile(tensors: [tensor, tensor])
        }
        #expect(throws: SafetensorsError.invalidTensor(name: "__metadata__", reason: "the name is reserved for the metadata")) {
            try SafetensorsFile(tensors: [SafetensorsTensor(name: "__metadata__", shape: [], floats: [1])])
        }
    }

    @Test func writesAndReadsThroughTheFileSystem() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("w.safetensors")
            let file = try SafetensorsFile(
                tensors: [SafetensorsTensor(name: "w", shape: [2, 2], floats: [1, 2, 3, 4])], metadata: ["m": "n"])
            try file.write(to: url)
            #expect(try SafetensorsFile(contentsOf: url) == file)
            #expect(try DurableFile.read(from: url) == file.encoded())
            #expect(try contents(of: directory) == ["w.safetensors"])
        }
    }
}
