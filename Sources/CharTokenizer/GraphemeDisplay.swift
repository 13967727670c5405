/// Renders units for people: control characters, lone format characters and separators become visible escapes.
public enum GraphemeDisplay {
    /// `grapheme` with line feeds as `\n`, carriage returns as `\r`, tabs as `\t`, and other control, format,
    /// separator, surrogate and unassigned code points as `\u{XXXX}`; everything else as itself.
    public static func escaped(_ grapheme: String) -> String {
        var result = ""
        for scalar in grapheme.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default:
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
