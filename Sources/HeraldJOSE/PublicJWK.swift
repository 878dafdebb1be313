import Crypto
import Foundation
import HeraldCore

/// A public key as JWK (RFC 7517): EC P-256 or OKP Ed25519, the two kinds Herald signs
/// and verifies with. Anything else is refused at parse time.
public struct PublicJWK: Sendable, Hashable {
    public enum Material: Sendable {
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    public let material: Material
    /// The `kid` the key was published or registered with, if any.
    public let declaredKID: String?
    /// RFC 7638 thumbprint; Herald's own keys use it as their kid.
    public let thumbprint: String

    public init(_ material: Material, declaredKID: String? = nil) {
        self.material = material
        self.declaredKID = declaredKID
        self.thumbprint = Base64URL.encode(Array(SHA256.hash(data: Self.thumbprintInput(material))))
    }

    /// The one algorithm this key may be used with: a key never serves two algorithms, which
    /// is what rules out algorithm confusion (an HS256 "signature" keyed with the public key).
    public var algorithm: SigningAlgorithm {
        switch material {
        case .p256: .es256
        case .ed25519: .edDSA
        }
    }

    /// The kid to match a JWS header against: the declared one, else the thumbprint.
    public var kid: String { declaredKID ?? thumbprint }

    /// Writes the public JWK members; with `kid`, `alg` and `use: sig` for publication.
    public func write(to writer: inout JSONWriter, includeMetadata: Bool) {
        writer.beginObject()
        switch material {
        case .p256(let key):
            let raw = key.rawRepresentation
            writer.member("kty", "EC")
            writer.member("crv", "P-256")
            writer.member("x", Base64URL.encode(raw.prefix(32)))
            writer.member("y", Base64URL.encode(raw.suffix(32)))
        case .ed25519(let key):
            writer.member("kty", "OKP")
            writer.member("crv", "Ed25519")
            writer.member("x", Base64URL.encode(key.rawRepresentation))
        }
        if includeMetadata {
            writer.member("kid", kid)
            writer.member("alg", algorithm.rawValue)
            writer.member("use", "sig")
        }
        writer.endObject()
    }

    /// The JWK as JSON text.
    public func json(includeMetadata: Bool) -> String {
        var writer = JSONWriter()
        write(to: &writer, includeMetadata: includeMetadata)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// RFC 7638 §3.2: the required members only, lexicographic order, no white space.
    private static func thumbprintInput(_ material: Material) -> [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        switch material {
        case .p256(let key):
            let raw = key.rawRepresentation
            writer.member("crv", "P-256")
            writer.member("kty", "EC")
            writer.member("x", Base64URL.encode(raw.prefix(32)))
            writer.member("y", Base64URL.encode(raw.suffix(32)))
        case .ed25519(let key):
            writer.member("crv", "Ed25519")
            writer.member("kty", "OKP")
            writer.member("x", Base64URL.encode(key.rawRepresentation))
        }
        writer.endObject()
        return writer.bytes
    }

    public static func == (lhs: PublicJWK, rhs: PublicJWK) -> Bool {
        lhs.thumbprint == rhs.thumbprint && lhs.declaredKID == rhs.declaredKID
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(thumbprint) }
}

extension PublicJWK {
    private struct Fields: Decodable {
        var kty: String?
        var crv: String?
        var x: String?
        var y: String?
        var d: String?
        var kid: String?
        var alg: String?
        var use: String?
        // swiftlint:disable:next identifier_name
        var key_ops: [String]?
    }

    /// Parses one public JWK. Refuses private members, unknown key types and curves, a
    /// declared `alg` that does not fit the key, and `use` other than `sig`.
    public init(json: Data) throws {
        let fields: Fields
        do { fields = try JSONDecoder().decode(Fields.self, from: json) } catch {
            throw JOSEError(.invalidKey, "a JWK must be a JSON object with string members: \(error)")
        }
        try self.init(fields: fields)
    }

    private init(fields: Fields) throws {
        guard fields.d == nil else {
            throw JOSEError(.invalidKey, "the JWK holds a private key (member d); register only the public key")
        }
        if let use = fields.use, use != "sig" {
            throw JOSEError(.invalidKey, "the JWK's use is \(use); keys here must be signature keys (use: sig)")
        }
        func coordinate(_ value: String?, _ name: String, bytes: Int) throws -> [UInt8] {
            guard let value, let raw = Base64URL.decode(value), raw.count == bytes else {
                throw JOSEError(.invalidKey, "JWK member \(name) must be \(bytes) bytes, base64url without padding")
            }
            return raw
        }
        let material: Material
        switch (fields.kty, fields.crv) {
        case ("EC", "P-256"):
            let raw = try coordinate(fields.x, "x", bytes: 32) + coordinate(fields.y, "y", bytes: 32)
            do { material = .p256(try P256.Signing.PublicKey(rawRepresentation: raw)) } catch {
                throw JOSEError(.invalidKey, "the EC JWK's point is not on P-256")
            }
        case ("OKP", "Ed25519"):
            let raw = try coordinate(fields.x, "x", bytes: 32)
            do { material = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: raw)) } catch {
                throw JOSEError(.invalidKey, "the OKP JWK's x is not an Ed25519 public key")
            }
        case (let kty, let crv):
            throw JOSEError(.invalidKey,
                            "unsupported key type \(kty ?? "(none)")/\(crv ?? "(none)"): use EC P-256 or OKP Ed25519")
        }
        self.init(material, declaredKID: fields.kid)
        if let alg = fields.alg, alg != algorithm.rawValue {
            throw JOSEError(.invalidKey, "the JWK declares alg \(alg) but its key is for \(algorithm.rawValue)")
        }
    }

    /// Parses a JWKS document `{"keys": [...]}`.
    public static func parseSet(json: Data) throws -> [PublicJWK] {
        struct KeySet: Decodable { var keys: [Fields] }
        let set: KeySet
        do { set = try JSONDecoder().decode(KeySet.self, from: json) } catch {
            throw JOSEError(.invalidKey, "a JWKS must be {\"keys\": [ ... ]}: \(error)")
        }
        guard !set.keys.isEmpty else { throw JOSEError(.invalidKey, "the JWKS has no keys") }
        return try set.keys.map { try PublicJWK(fields: $0) }
    }
}
