import Hummingbird

/// A request type read from a JSON body: its fields, as spelt on the wire, and how it reads them.
protocol JSONRequest {
    /// Every field the body may have.
    static var fields: [String] { get }
    /// The request in `body`, each field checked for its type.
    init(_ body: JSONBody) throws(ServeError)
}

extension JSONRequest {
    /// The request in `request`'s body, at most `limit` bytes.
    static func read(from request: Request, limit: Int) async throws -> Self {
        try JSONBody.checkDeclaredLength(of: request, limit: limit)
        return try await read(request.body, limit: limit)
    }

    /// The request in `body`, at most `limit` bytes (its declared length already checked).
    static func read(_ body: RequestBody, limit: Int) async throws -> Self {
        try Self(try await JSONBody.read(body, limit: limit, fields: fields))
    }
}
