import Crypto
import Foundation

extension PublicJWK {
    /// The key as a JCS object without metadata: `{"kty","crv","x","y"}` (EC) or
    /// `{"kty","crv","x"}` (OKP) — the MCPS passport's `public_key`, the JWT's `cnf.jwk`.
    public var jcsValue: JCSValue {
        switch material {
        case .p256(let key):
            let raw = key.rawRepresentation
            return .object(["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(raw.prefix(32))),
                            "y": .string(Base64URL.encode(raw.suffix(32)))])
        case .ed25519(let key):
            return .object(["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(key.rawRepresentation))])
        }
    }

    /// Reads a public JWK from a parsed object, with the same refusals as `init(json:)`
    /// (private members, unknown curves, `use` other than `sig`, a member of the wrong
    /// type; null counts as absent, as `JSONDecoder` reads it) but without a second parse.
    public init(jcs value: JCSValue) throws {
        guard var members = value.objectValue else { throw JOSEError(.invalidKey, "a JWK must be a JSON object") }
        // As JSONDecoder reads `init(json:)`'s optional members: null is absent, any other
        // type is an error (the fuzz target `jwk` compares the two readers).
        for (name, member) in members {
            switch (name, member) {
            case (_, .null): members[name] = nil
            case ("kty", .string), ("crv", .string), ("x", .string), ("y", .string), ("d", .string),
                 ("kid", .string), ("alg", .string), ("use", .string):
                continue
            case ("kty", _), ("crv", _), ("x", _), ("y", _), ("d", _), ("kid", _), ("alg", _), ("use", _):
                throw JOSEError(.invalidKey, "JWK member \(name) must be a string, not \(member.typeName)")
            case ("key_ops", .array(let operations)) where operations.allSatisfy({ $0.stringValue != nil }):
                continue
            case ("key_ops", _):
                throw JOSEError(.invalidKey, "JWK member key_ops must be an array of strings")
            default:
                continue
            }
        }
        guard members["d"] == nil else {
            throw JOSEError(.invalidKey, "the JWK holds a private key (member d); only public keys belong here")
        }
        if let use = members["use"], use != .string("sig") {
            throw JOSEError(.invalidKey, "the JWK's use must be sig")
        }
        func coordinate(_ name: String) throws -> [UInt8] {
            guard let text = members[name]?.stringValue, let raw = Base64URL.decode(text), raw.count == 32 else {
                throw JOSEError(.invalidKey, "JWK member \(name) must be 32 bytes, base64url without padding")
            }
            return raw
        }
        let kid = members["kid"]?.stringValue
        switch (members["kty"]?.stringValue, members["crv"]?.stringValue) {
        case ("EC", "P-256"):
            let raw = try coordinate("x") + coordinate("y")
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: raw) else {
                throw JOSEError(.invalidKey, "the EC JWK's point is not on P-256")
            }
            // The thumbprint from the coordinates as received (strict base64url has one
            // spelling per value): asking the key for its coordinates converts the point
            // to affine form, a field inversion that costs more than the rest of a
            // passport's parse, on the offline verifier's hot path.
            material = .p256(key)
            declaredKID = kid
            let x = members["x"]!.stringValue!, y = members["y"]!.stringValue!  // checked by coordinate(_:)
            thumbprint = Self.thumbprint(#"{"crv":"P-256","kty":"EC","x":""#, x, #"","y":""#, y)
        case ("OKP", "Ed25519"):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: try coordinate("x")) else {
                throw JOSEError(.invalidKey, "the OKP JWK's x is not an Ed25519 public key")
            }
            material = .ed25519(key)
            declaredKID = kid
            thumbprint = Self.thumbprint(#"{"crv":"Ed25519","kty":"OKP","x":""#, members["x"]!.stringValue!)
        case (let kty, let crv):
            throw JOSEError(.invalidKey, "unsupported key type \(kty ?? "(none)")/\(crv ?? "(none)"): use EC P-256 or OKP Ed25519")
        }
        if let alg = members["alg"]?.stringValue, alg != algorithm.rawValue {
            throw JOSEError(.invalidKey, "the JWK declares alg \(alg) but its key is for \(algorithm.rawValue)")
        }
    }

    /// RFC 7638 thumbprint of the pieces joined, then `"}`: the members in order, no white space.
    private static func thumbprint(_ pieces: String...) -> String {
        var input: [UInt8] = []
        input.reserveCapacity(128)
        for piece in pieces { input.append(contentsOf: piece.utf8) }
        input.append(contentsOf: #""}"#.utf8)
        var hash = SHA256()
        hash.update(data: input)
        return Base64URL.encode(Array(hash.finalize()))
    }

    /// The SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`) of a P-256 key, as
    /// mcps-secure's `load_pem_public_key` reads it; nil for Ed25519 (MCPS is ES256 only).
    public var pemRepresentation: String? {
        guard case .p256(let key) = material else { return nil }
        return key.pemRepresentation + "\n"
    }

    /// Reads a P-256 SubjectPublicKeyInfo PEM.
    public init(pem: String) throws {
        do { self.init(.p256(try P256.Signing.PublicKey(pemRepresentation: pem))) } catch {
            throw JOSEError(.invalidKey, "not a P-256 public key PEM (-----BEGIN PUBLIC KEY-----)")
        }
    }
}

extension SigningKey {
    /// Reads a P-256 private key PEM (PKCS#8 `BEGIN PRIVATE KEY` or SEC1 `BEGIN EC PRIVATE KEY`).
    public init(p256PEM pem: String) throws {
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw JOSEError(.invalidKey, "not a P-256 private key PEM")
        }
        try self.init(algorithm: .es256, privateKeyBytes: Array(key.rawRepresentation))
    }
}
