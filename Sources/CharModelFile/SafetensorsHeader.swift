import Foundation

/// A safetensors header as Foundation's `JSONDecoder` reads it: the `__metadata__` strings and each tensor's
/// description, before `SafetensorsFile` checks the descriptions against the data section.
///
/// Foundation checks the syntax (`JSONSerialization`, which says where the text went wrong) and the types
/// (`JSONDecoder`). What it cannot check and the format requires is done here after decoding: a key may appear only once in an object (Foundation keeps one of two equal keys without a
/// word), and a tensor's description has exactly the three fields the format defines.
struct SafetensorsHeader: Decodable {
    /// One tensor's description as written in the header; its values are checked by `SafetensorsFile`.
    struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]
    }

    /// Why a header that is valid JSON is not a safetensors header, in words that follow "the file is damaged:".
    struct Problem: Error {
        let reason: String
    }

    static let metadataKey = "__metadata__"

    /// The `__metadata__` entries (empty when the header has none).
    let metadata: [String: String]
    /// The tensors' descriptions, sorted by name so that the first problem reported does not depend on hashing.
    let entries: [Entry]

    /// Decodes `json`, the header's bytes without the length prefix.
    ///
    /// - Throws: `Problem` for a header that is not JSON or not a safetensors header.
    static func decode(_ json: Data) throws(Problem) -> SafetensorsHeader {
        do {
            _ = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw Problem(reason: "its header is not valid JSON: " + syntaxError(error))
        }
        // The syntax is sound, so whatever the decoder refuses from here on is a type, which `init(from:)` names.
        let header: SafetensorsHeader
        do {
            header = try JSONDecoder().decode(SafetensorsHeader.self, from: json)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(reason: "its header is not a safetensors header")
        }
        if let key = firstRepeatedKey(in: json) {
            throw Problem(reason: "its header has the key \"\(key)\" twice in one object")
        }
        return header
    }

    /// Foundation's description of a syntax error ("Invalid value around character 5."), as a clause.
    private static func syntaxError(_ error: any Error) -> String {
        let description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        let clause = description.hasSuffix(".") ? String(description.dropLast()) : description
        return clause.prefix(1).lowercased() + clause.dropFirst() + " of the header"
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    private static let fields = ["dtype", "shape", "data_offsets"]

    init(from decoder: any Decoder) throws {
        guard let header = try? decoder.container(keyedBy: Key.self) else {
            throw Problem(reason: "its header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for key in header.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if key.stringValue == Self.metadataKey {
                metadata = try Self.metadata(in: header, at: key)
            } else {
                entries.append(try Self.entry(in: header, at: key))
            }
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func metadata(in header: KeyedDecodingContainer<Key>, at key: Key) throws -> [String: String] {
        guard let values = try? header.nestedContainer(keyedBy: Key.self, forKey: key) else {
            throw Problem(reason: "its '\(metadataKey)' entry is not a JSON object")
        }
        var metadata: [String: String] = [:]
        for name in values.allKeys {
            guard let value = try? values.decode(String.self, forKey: name) else {
                throw Problem(reason: "its '\(metadataKey)' entry '\(name.stringValue)' is not a string")
            }
            metadata[name.stringValue] = value
        }
        return metadata
    }

    private static func entry(in header: KeyedDecodingContainer<Key>, at key: Key) throws -> Entry {
        let name = key.stringValue
        func problem(_ reason: String) -> Problem { Problem(reason: "tensor '\(name)' \(reason)") }
        guard let description = try? header.nestedContainer(keyedBy: Key.self, forKey: key) else {
            throw problem("is not described by a JSON object")
        }
        if let unexpected = description.allKeys.map(\.stringValue).filter({ !fields.contains($0) }).min() {
            throw problem("has an unexpected field '\(unexpected)'")
        }
        for field in fields where !description.contains(Key(stringValue: field)) {
            throw problem("has no '\(field)'")
        }
        guard let dtype = try? description.decode(String.self, forKey: Key(stringValue: "dtype")) else {
            throw problem("has a 'dtype' that is not a string")
        }
        guard let shape = try? description.decode([Int].self, forKey: Key(stringValue: "shape")),
            shape.allSatisfy({ $0 >= 0 })
        else {
            throw problem("has a 'shape' that is not a list of non-negative integers")
        }
        guard let offsets = try? description.decode([Int].self, forKey: Key(stringValue: "data_offsets")),
            offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
        else {
            throw problem("has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end")
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: offsets)
    }

    /// The first key that appears twice in one object of `json`, which must already have parsed as JSON.
    ///
    /// Keys are compared after unescaping, so `"a"` and `"\u0061"` are the same key.
    static func firstRepeatedKey(in json: Data) -> String? {
        let bytes = [UInt8](json)
        var objects: [Set<String>?] = []  // one entry per open container; nil for an array
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): objects.append([])
            case UInt8(ascii: "["): objects.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): objects.removeLast()
            case UInt8(ascii: "\""):
                var end = index + 1
                while bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                var next = end + 1
                while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                if next < bytes.count, bytes[next] == UInt8(ascii: ":"),
                    let key = try? JSONDecoder().decode(String.self, from: Data(bytes[index...end]))
                {
                    guard objects[objects.count - 1]!.insert(key).inserted else { return key }
                }
                index = end
            default: break
            }
            index += 1
        }
        return nil
    }
}
