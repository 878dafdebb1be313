import HeraldServer

extension FuzzTarget {
    /// `application/x-www-form-urlencoded` bodies (``FormBody``): a body is read or refused
    /// with an OAuthError (typed); what it reads, form-encoded again, reads back the same;
    /// any set of fields made from the input, form-encoded, reads back as itself.
    public static let form = FuzzTarget(
        name: "form",
        summary: "FormBody: parse→encode→parse identity; fields from the input encode→parse identity "
            + "(byte-exact names and values)"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "form"
        if let fields = try? FormBody.parse(bytes) {
            let encoded = encodeForm(fields)
            guard let again = try? FormBody.parse(encoded) else {
                throw FuzzPropertyViolation(name, "re-encoded form \(Check.show(encoded)) is refused")
            }
            try Check.that(pairs(again) == pairs(fields), name,
                           "form \(Check.show(bytes)) reads differently after re-encoding as \(Check.show(encoded))")
        }
        // Fields from the input: NUL-separated name, value, name, value…
        var fields: [String: String] = [:]
        let chunks = bytes.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        stride(from: 0, to: chunks.count - 1, by: 2).forEach { index in
            if fields[chunks[index]] == nil { fields[chunks[index]] = chunks[index + 1] }
        }
        let encoded = encodeForm(fields)
        let parsed: [String: String]
        do throws(OAuthError) { parsed = try FormBody.parse(encoded) } catch {
            throw FuzzPropertyViolation(name, "encoded fields \(Check.show(encoded)) are refused: \(error.reason)")
        }
        try Check.that(pairs(parsed) == pairs(fields), name,
                       "fields encoded as \(Check.show(encoded)) read back differently")
    }

    /// The fields as sorted byte pairs, so that names and values compare byte for byte.
    static func pairs(_ fields: [String: String]) -> [[UInt8]] {
        fields.map { Array($0.key.utf8) + [0] + Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// HTML form encoding: unreserved characters as they are, space as `+`, every other
    /// byte as `%XX`.
    static func encodeForm(_ fields: [String: String]) -> [UInt8] {
        func encode(_ text: String, into out: inout [UInt8]) {
            let hex = Array("0123456789ABCDEF".utf8)
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                     UInt8(ascii: "~"):
                    out.append(byte)
                case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
                default: out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
        }
        var out: [UInt8] = []
        for (position, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if position > 0 { out.append(UInt8(ascii: "&")) }
            encode(field.key, into: &out)
            out.append(UInt8(ascii: "="))
            encode(field.value, into: &out)
        }
        return out
    }
}
