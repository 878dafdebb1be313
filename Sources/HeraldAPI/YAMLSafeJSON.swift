import Foundation

/// JSON text that reads back the same through the realm-file loader, which reads JSON as YAML.
///
/// A JSON string may hold characters raw that YAML refuses (DEL, the C1 controls, U+FFFE,
/// U+FFFF) or that the YAML parser takes for line breaks and folds (NEL, U+2028, U+2029), and
/// a byte order mark inside the text is no better. Written as `\uXXXX` escapes they mean the
/// same in JSON and in a YAML double-quoted scalar. Herald's own JSON renderings of realms (the
/// export, every admin edit before it is validated) go through here, so a string an admin sent
/// as JSON loads, exports and imports again instead of failing as "not valid YAML".
public enum YAMLSafeJSON {
    public static func data(withJSONObject object: Any, options: JSONSerialization.WritingOptions) throws -> Data {
        escape(try JSONSerialization.data(withJSONObject: object, options: options))
    }

    /// `json` with the characters above escaped (they occur only inside strings).
    public static func escape(_ json: Data) -> Data {
        let text = String(decoding: json, as: UTF8.self)
        guard text.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return Data(out.utf8)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: true
        default: false
        }
    }
}
