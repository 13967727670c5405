import Hummingbird

/// The page at `/` (see `PageHTML`), served from the binary.
enum Page {
    static let response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                                   body: ResponseBody(byteBuffer: ByteBuffer(string: PageHTML.text)))
}
