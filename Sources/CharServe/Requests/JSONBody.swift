import Foundation
import Hummingbird

/// A request's body as a JSON object, read field by field, so that every way a body can be wrong is a `ServeError`
/// naming what to change: too large (413, before reading it when `Content-Length` says so), not JSON or not an
/// object ("body"), a field unknown (a misspelt option is not silently ignored) or of the wrong type or range (that
/// field). A field that is null counts as left out.
///
/// Parsed by `JSONSerialization` rather than `Decodable`: its errors say where the JSON breaks, and it keeps numbers
/// such as 1e30 or 1.5 that do not fit the field's type, so the error can name the field instead of the body.
struct JSONBody {
    private let values: [String: Any]

    /// Refuses a body whose `Content-Length` is over `limit` before any of it is read; the server then skips it.
    static func checkDeclaredLength(of request: Request, limit: Int) throws(ServeError) {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw .bodyTooLarge(limit: limit)
        }
    }

    /// `body`, at most `limit` bytes, as an object whose keys are all among `fields`.
    ///
    /// A body over the limit is still read to its end (and dropped), so that the connection is left at the next
    /// request whoever reads it: Hummingbird's watch for a closed connection needs to see the body end.
    static func read(_ body: RequestBody, limit: Int, fields: [String]) async throws -> JSONBody {
        var bytes = Data()
        var tooLarge = false
        do {
            for try await buffer in body where !tooLarge {
                tooLarge = bytes.count + buffer.readableBytes > limit
                if !tooLarge { bytes.append(contentsOf: buffer.readableBytesView) }
            }
        } catch {
            throw UnreadableBody(underlying: error)
        }
        if tooLarge { throw ServeError.bodyTooLarge(limit: limit) }
        return try JSONBody(parsing: bytes, fields: fields)
    }

    /// `bytes` as an object whose keys are all among `fields`.
    init(parsing bytes: Data, fields: [String]) throws(ServeError) {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw .invalidField("body", "is not valid JSON: \(detail)")
        }
        guard let object = parsed as? [String: Any] else {
            throw .invalidField("body", "must be a JSON object, got \(Self.kind(of: parsed))")
        }
        // The first unknown field by name, so that the same body always gets the same answer.
        if let unknown = object.keys.filter({ !fields.contains($0) }).min() {
            throw .invalidField(unknown, "unknown field; the fields are " + fields.joined(separator: ", "))
        }
        values = object.filter { !($0.value is NSNull) }
    }

    /// The string in `field`, or nil when it is left out.
    func string(_ field: String) throws(ServeError) -> String? {
        guard let value = values[field] else { return nil }
        guard let string = value as? String else { throw .invalidField(field, "must be a string, got \(Self.kind(of: value))") }
        return string
    }

    /// The string in `field`, which must be there.
    func requiredString(_ field: String) throws(ServeError) -> String {
        guard let string = try string(field) else { throw .invalidField(field, "is required") }
        return string
    }

    /// The true or false in `field`, or nil when it is left out.
    func bool(_ field: String) throws(ServeError) -> Bool? {
        guard let value = values[field] else { return nil }
        guard let number = value as? NSNumber, Self.isBoolean(number) else {
            throw .invalidField(field, "must be true or false, got \(Self.kind(of: value))")
        }
        return number.boolValue
    }

    /// The number in `field`, or nil when it is left out.
    func number(_ field: String) throws(ServeError) -> Double? {
        guard let value = values[field] else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number) else {
            throw .invalidField(field, "must be a number, got \(Self.kind(of: value))")
        }
        return number.doubleValue
    }

    /// The whole number in `field`, or nil when it is left out.
    func integer(_ field: String) throws(ServeError) -> Int? {
        try exactInteger(field)
    }

    /// The whole number from 0 to 2^64 - 1 in `field` (a seed), or nil when it is left out.
    func unsigned64(_ field: String) throws(ServeError) -> UInt64? {
        try exactInteger(field)
    }

    /// The whole number in `field` as a `T`; a fraction, or a number outside `T`'s range, is an error.
    private func exactInteger<T: FixedWidthInteger>(_ field: String) throws(ServeError) -> T? {
        guard let value = values[field] else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number) else {
            throw .invalidField(field, "must be an integer, got \(Self.kind(of: value))")
        }
        // Read from the digits the JSON wrote: above 2^53 a Double would lose some. A whole number written with a
        // fraction or an exponent (2.0, 1e3) is read from its Double, exact up to 2^53.
        let double = number.doubleValue
        if let exact = T(number.description) ?? (abs(double) <= 0x1p53 ? T(exactly: double) : nil) { return exact }
        guard double == double.rounded(.towardZero) else { throw .invalidField(field, "must be an integer, got \(number.description)") }
        throw .invalidField(field, "must be an integer from \(T.min) to \(T.max), got \(number.description)")
    }

    /// A value as an error message shows it: a number as written, other kinds by name.
    private static func kind(of value: Any) -> String {
        switch value {
        case let number as NSNumber where isBoolean(number): return number.boolValue ? "true" : "false"
        case let number as NSNumber: return number.description
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "null"
        }
    }

    /// Whether JSON wrote `number` as true or false (JSONSerialization gives both kinds as NSNumber).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
