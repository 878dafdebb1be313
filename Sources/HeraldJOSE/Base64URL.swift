/// base64url without padding (RFC 7515 §2), strict on decode.
///
/// Written by hand because Foundation's base64 speaks only the standard alphabet with
/// padding, and the token hot path would otherwise pay for two string rewrites per segment.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Appends the encoding of `bytes` to `out`.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, into out: inout [UInt8]) where Bytes.Element == UInt8 {
        out.reserveCapacity(out.count + (bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next(), b2 = iterator.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            guard let b1 else { break }
            out.append(alphabet[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)])
            guard let b2 else { break }
            out.append(alphabet[Int(b2 & 0x3F)])
        }
    }

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        encode(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64url; nil on padding, any other alphabet, an impossible length,
    /// or non-zero trailing bits (so that every value has exactly one encoding).
    public static func decode<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        if let result = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return result }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    /// The decoder proper, over contiguous bytes: four characters to three bytes at a time,
    /// the table read through one pointer (JWS verification decodes every token).
    private static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let remainder = text.count % 4
        if remainder == 1 { return nil }
        let outputCount = text.count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        return reverse.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                var input = 0, output = 0
                while input + 4 <= text.count {
                    let a = table[Int(text[input])], b = table[Int(text[input + 1])]
                    let c = table[Int(text[input + 2])], d = table[Int(text[input + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { valid = false; break }
                    out[output] = a << 2 | b >> 4
                    out[output + 1] = b << 4 | c >> 2
                    out[output + 2] = c << 6 | d
                    input += 4
                    output += 3
                }
                if valid, remainder >= 2 {
                    let a = table[Int(text[input])], b = table[Int(text[input + 1])]
                    let c = remainder == 3 ? table[Int(text[input + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 {
                        valid = false
                    } else if remainder == 2 {
                        out[output] = a << 2 | b >> 4
                        output += 1
                        valid = b & 0x0F == 0  // trailing bits must be zero
                    } else {
                        out[output] = a << 2 | b >> 4
                        out[output + 1] = b << 4 | c >> 2
                        output += 2
                        valid = c & 0x03 == 0
                    }
                }
                // Initialize every byte even on failure; the array is dropped then.
                while output < outputCount { out[output] = 0; output += 1 }
                initialized = outputCount
            }
            return valid ? out : nil
        }
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
