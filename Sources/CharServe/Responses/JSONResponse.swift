import Foundation
import Hummingbird

/// How every JSON answer is written: keys sorted (so answers are byte-for-byte stable), slashes unescaped, and
/// non-finite numbers (a damaged model's NaN loss) as the strings "NaN" and "Infinity" rather than a failure.
enum JSONResponse {
    /// `value` as JSON.
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // The server's own answer types hold strings, numbers, arrays and keyed containers only, and non-finite
        // numbers have a spelling above, so encoding them cannot fail.
        return try! encoder.encode(value)
    }

    /// A 200 answer whose body is `value` as JSON.
    static func ok(_ value: some Encodable) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}
