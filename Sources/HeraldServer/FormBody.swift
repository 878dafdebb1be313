/// Strict `application/x-www-form-urlencoded` parsing for OAuth requests.
///
/// Hummingbird's URLEncodedFormDecoder targets Codable models; OAuth needs the raw
/// parameters with RFC 6749 §3.2's rules: a repeated parameter is an error, as is broken
/// percent-encoding, and both must say which parameter was wrong.
package enum FormBody {
    package static func parse(_ bytes: some Collection<UInt8>) throws(OAuthError) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else {
                throw .invalidRequest("the form body has a parameter name with invalid percent-encoding")
            }
            guard let value = parts.count == 2 ? decode(parts[1]) : "" else {
                throw .invalidRequest("parameter \(name) has invalid percent-encoding")
            }
            guard fields[name] == nil else {
                throw .invalidRequest("parameter \(name) appears more than once")
            }
            fields[name] = value
        }
        return fields
    }

    /// Percent-decoding with `+` as space; nil on a bad escape or invalid UTF-8.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
                out.append(high << 4 | low)
            default: out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
