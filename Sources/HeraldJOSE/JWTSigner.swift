import Foundation
import HeraldCore

/// Signs compact JWTs with one key. The protected header for the common `typ` values is
/// encoded once, so a token costs one claims encoding and one signature.
public struct JWTSigner: Sendable {
    public let key: SigningKey
    private let accessTokenHeader: [UInt8]

    public init(key: SigningKey) {
        self.key = key
        accessTokenHeader = Self.encodedHeader(key: key, typ: "at+jwt")
    }

    public var kid: String { key.kid }
    public var algorithm: SigningAlgorithm { key.algorithm }

    /// `header.payload.signature` for the UTF-8 JSON `claims`, with header
    /// `{"alg","typ","kid"}`.
    public func sign(claims: [UInt8], typ: String) throws -> String {
        var token = typ == "at+jwt" ? accessTokenHeader : Self.encodedHeader(key: key, typ: typ)
        token.reserveCapacity(token.count + claims.count * 4 / 3 + 100)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(claims, into: &token)
        let signature = try key.sign(token)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(signature, into: &token)
        return String(decoding: token, as: UTF8.self)
    }

    private static func encodedHeader(key: SigningKey, typ: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.member("alg", key.algorithm.rawValue)
        writer.member("typ", typ)
        writer.member("kid", key.kid)
        writer.endObject()
        var out: [UInt8] = []
        Base64URL.encode(writer.bytes, into: &out)
        return out
    }
}
