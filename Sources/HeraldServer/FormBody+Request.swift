import HTTPTypes
import HeraldVerifier
import Hummingbird

extension FormBody {
    /// The form parameters of `request` (the token, introspection and revocation endpoints):
    /// the body must be `application/x-www-form-urlencoded` (RFC 6749 §3.2), at most
    /// `maxBytes` long (larger is 413), and strictly parsed (``parse(_:)``).
    package static func read(_ request: inout Request, upTo maxBytes: Int) async throws(OAuthError) -> [String: String] {
        guard isFormMediaType(request.headers[.contentType]) else {
            throw .invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: maxBytes) } catch {
            if let error = error as? any HTTPResponseError, error.status == .contentTooLarge {
                throw OAuthError(status: .contentTooLarge, code: "invalid_request",
                                 description: "the request body exceeds \(maxBytes) bytes")
            }
            throw .invalidRequest("the request body could not be read")
        }
        return try parse(body.readableBytesView)
    }

    /// Whether a `Content-Type` value names `application/x-www-form-urlencoded`: any case,
    /// blanks around it, parameters after `;` ignored (RFC 9110 §8.3.1). Compared byte by
    /// byte, without trimming or lowercasing a copy: it runs on every token request.
    package static func isFormMediaType(_ value: String?) -> Bool {
        guard var value else { return false }
        return value.withUTF8 { isFormMediaType($0) }
    }

    private static func isFormMediaType(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let expected: StaticString = "application/x-www-form-urlencoded"
        var index = 0
        while index < bytes.count, Substring.isBlank(bytes[index]) { index += 1 }
        let count = expected.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let matches = expected.withUTF8Buffer { expected in
            (0..<count).allSatisfy { lowercased(bytes[index + $0]) == expected[$0] }
        }
        guard matches else { return false }
        index += count
        while index < bytes.count, Substring.isBlank(bytes[index]) { index += 1 }
        return index == bytes.count || bytes[index] == UInt8(ascii: ";")
    }

    /// ASCII lowercase; any other byte is itself (so no other byte can pass for a letter).
    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
    }
}
