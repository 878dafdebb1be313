import Crypto
import HeraldJOSE
import HeraldVerifier
import Hummingbird

/// A JSON document served as it is, built once: the body bytes, a strong ETag and the
/// headers of the 200 and 304 answers. Answering is then a header lookup and a copy of two
/// references (a `ByteBuffer` shares its storage), with nothing encoded per request.
struct RenderedDocument: Sendable {
    /// Strong validator: quoted base64url SHA-256 of the body.
    let etag: String
    let body: ByteBuffer
    let okHeaders: HTTPFields
    let notModifiedHeaders: HTTPFields

    /// `body` served with `Cache-Control: cacheControl`; `etag` when the caller already has
    /// one for these bytes (the key ring computes the JWKS's own), else one is computed.
    init(body bytes: [UInt8], cacheControl: String, etag: String? = nil) {
        let etag = etag ?? "\"" + Base64URL.encode(Array(SHA256.hash(data: bytes))) + "\""
        self.etag = etag
        body = ByteBuffer(bytes: bytes)
        notModifiedHeaders = [.cacheControl: cacheControl, .eTag: etag]
        okHeaders = [.cacheControl: cacheControl, .eTag: etag, .contentType: "application/json"]
    }

    /// 304 when `ifNoneMatch` names this document (RFC 9110 §13.1.2), else the full 200.
    func response(ifNoneMatch: String?) -> Response {
        if let ifNoneMatch, Self.matches(ifNoneMatch, etag: etag) {
            return Response(status: .notModified, headers: notModifiedHeaders)
        }
        return Response(status: .ok, headers: okHeaders, body: .init(byteBuffer: body))
    }

    /// RFC 9110 §13.1.2: a comma-separated list of entity tags or `*`, compared weakly (a
    /// `W/` prefix is ignored), blanks trimmed on the UTF-8 bytes.
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",", omittingEmptySubsequences: false).contains { candidate in
            let tag = candidate.trimmingBlanks
            return tag == "*" || (tag.hasPrefix("W/") ? tag.dropFirst(2) : tag) == etag
        }
    }
}
