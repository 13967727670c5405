import Foundation
import Hummingbird

/// The events of a streamed sample, in the Server-Sent Events format (each `data:` line one JSON object, an empty
/// line after each event):
///
///     data: {"text":"R"}
///
///     data: {"text":"O"}
///
///     event: done
///     data: {"finish":"length","graphemes":2,"model":"default","prime":"","seed":7,"skipped":[]}
///
/// Unnamed events carry the pieces of text as they are drawn; the last, `done`, is the JSON answer's summary without
/// the text. A stream cut short (the server shutting down past its grace period) ends without `done`.
enum ServerSentEvent {
    /// The event carrying one piece of generated text.
    static func piece(_ text: String) -> ByteBuffer {
        // Written by hand rather than by JSONEncoder, as this runs once per grapheme.
        var event = "data: {\"text\":\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": event += "\\\""
            case "\\": event += "\\\\"
            case "\n": event += "\\n"
            case "\r": event += "\\r"
            case "\t": event += "\\t"
            case _ where scalar.value < 0x20:
                event += String(format: "\\u%04x", scalar.value)
            default: event.unicodeScalars.append(scalar)
            }
        }
        event += "\"}\n\n"
        return ByteBuffer(string: event)
    }

    /// The last event: how the sample ended.
    static func done(_ summary: SampleResponse) -> ByteBuffer {
        ByteBuffer(string: "event: done\ndata: " + String(decoding: JSONResponse.encode(summary), as: UTF8.self) + "\n\n")
    }
}
