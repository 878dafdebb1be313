/// Strict `application/x-www-form-urlencoded` parsing for OAuth requests.
///
/// Hummingbird's URLEncodedFormDecoder targets Codable models; OAuth needs the raw
/// parameters with RFC 6749 §3.2's rules: a repeated parameter is an error, as is broken
/// percent-encoding, and both must say which parameter was wrong.
package enum FormBody {
    package static func parse(_ bytes: some Collection<UInt8>) throws(OAuthError) -> [String: String] {
        // The body is scanned through a buffer pointer, not the collection: a token-exchange
        // body is ~1 KB (the subject token), and the generic `split` over a ByteBufferView
        // (an index check and a storage access per byte, twice) cost more than the RSA verify.
        let contiguous: Result<[String: String], OAuthError>? = bytes.withContiguousStorageIfAvailable { parse($0) }
        if let contiguous { return try contiguous.get() }
        return try Array(bytes).withUnsafeBufferPointer { parse($0) }.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[String: String], OAuthError> {
        var fields: [String: String] = [:]
        var next = 0
        while next <= bytes.count {
            let start = next
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            next = end + 1
            guard end > start else { continue }  // empty pairs (`&&`, a trailing `&`) are skipped
            var equals = start
            while equals < end, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            guard let name = decode(UnsafeBufferPointer(rebasing: bytes[start..<equals])) else {
                return .failure(.invalidRequest("the form body has a parameter name with invalid percent-encoding"))
            }
            let value = equals < end ? decode(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end])) : ""
            guard let value else { return .failure(.invalidRequest("parameter \(name) has invalid percent-encoding")) }
            guard fields[name] == nil else { return .failure(.invalidRequest("parameter \(name) appears more than once")) }
            fields[name] = value
        }
        return .success(fields)
    }

    /// Percent-decoding with `+` as space; nil on a bad escape or invalid UTF-8.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        if let decoded = bytes.withContiguousStorageIfAvailable({ decode($0) }) { return decoded }
        return Array(bytes).withUnsafeBufferPointer { decode($0) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // Most values (a JWT, a grant type) have no escape at all: validated as they are,
        // without a byte-by-byte copy.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(validating: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index + 1 < bytes.count, let high = hex(bytes[index]), let low = hex(bytes[index + 1]) else {
                    return nil
                }
                index += 2
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
