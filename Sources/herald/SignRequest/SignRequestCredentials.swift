import Foundation
import HeraldCore
import HeraldJOSE

/// What `herald sign-request` signs with: the agent's private key and the passport that
/// binds its public half (`cnf.jwk` of a JWT passport, `public_key` of an MCPS passport).
struct SignRequestCredentials {
    let key: SigningKey
    /// The passport as sent in `Agent-Passport` (a compact JWT); nil for an MCPS passport.
    let jwt: String?
    /// `jti` or `passport_id`: what an MCPS envelope names.
    let passportID: String
    /// The passport's `trust_level`.
    let trustLevel: TrustLevel?
    /// The passport's key, whose kid is the header's `keyid`.
    let passportKey: PublicJWK

    /// Reads `--key FILE` and `--passport FILE|JWT`; refuses a key that is not the passport's.
    static func load(keyFile: String, passport: String) throws -> SignRequestCredentials {
        let key = try loadKey(keyFile)
        let text: String
        if FileManager.default.fileExists(atPath: passport) {
            guard let data = FileManager.default.contents(atPath: passport) else {
                throw CLIError.usage("cannot read the passport file \(passport)")
            }
            text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if passport.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            text = passport.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw CLIError.usage("--passport \(passport) is neither a readable file nor a compact JWT passport")
        }
        let credentials = try parse(passport: text, key: key)
        guard credentials.passportKey.thumbprint == key.publicKey.thumbprint else {
            throw CLIError.usage("--key is not the passport's key: the passport binds \(credentials.passportKey.thumbprint), "
                + "the key file holds \(key.publicKey.thumbprint); use the private key the passport was issued for")
        }
        return credentials
    }

    private static func parse(passport text: String, key: SigningKey) throws -> SignRequestCredentials {
        if text.hasPrefix("{") {
            let document: JCSValue
            do { document = try JCSParser.parse(text) } catch {
                throw CLIError.usage("the passport file is JSON Herald does not read: \(error)")
            }
            if document["mcps_version"] == nil, let jwt = document["passport"]?.stringValue {
                return try parse(passport: jwt, key: key)  // the issuance response {"passport": "<JWT>"}
            }
            guard let id = document["passport_id"]?.stringValue, let publicKey = document["public_key"] else {
                throw CLIError.usage("the passport file is neither {\"passport\":\"<JWT>\"} nor an MCPS passport")
            }
            let jwk: PublicJWK
            do { jwk = try PublicJWK(jcs: publicKey) } catch {
                throw CLIError.usage("the MCPS passport's public_key is not a key Herald reads: \(error)")
            }
            return SignRequestCredentials(key: key, jwt: nil, passportID: id,
                                          trustLevel: document["trust_level"]?.intValue.flatMap { TrustLevel(rawValue: Int($0)) },
                                          passportKey: jwk)
        }
        let payload: JCSValue
        do { payload = try JCSParser.parse(try UnverifiedJWS(compact: text).unverifiedPayload) } catch {
            throw CLIError.usage("the passport is not a compact JWT passport: \(error)")
        }
        guard let cnf = payload["cnf"]?["jwk"], let id = payload["jti"]?.stringValue else {
            throw CLIError.usage("the JWT passport has no cnf.jwk or jti; issue one with `herald passport issue`")
        }
        let jwk: PublicJWK
        do { jwk = try PublicJWK(jcs: cnf) } catch {
            throw CLIError.usage("the passport's cnf.jwk is not a key Herald reads: \(error)")
        }
        return SignRequestCredentials(key: key, jwt: text, passportID: id,
                                      trustLevel: payload["trust_level"]?.intValue.flatMap { TrustLevel(rawValue: Int($0)) },
                                      passportKey: jwk)
    }

    /// A P-256 private key PEM (PKCS#8 or SEC1), or a private JWK (EC P-256 or OKP Ed25519, with `d`).
    static func loadKey(_ path: String) throws -> SigningKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read the key file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("-----BEGIN") {
            do { return try SigningKey(p256PEM: text) } catch {
                throw CLIError.usage("\(path) is not a P-256 private key PEM (PKCS#8 BEGIN PRIVATE KEY or SEC1 BEGIN EC "
                    + "PRIVATE KEY); for Ed25519 use a private JWK")
            }
        }
        guard let jwk = try? JCSParser.parse(text), jwk.objectValue != nil else {
            throw CLIError.usage("\(path) is neither a private key PEM nor a private JWK")
        }
        guard let d = jwk["d"]?.stringValue, let scalar = Base64URL.decode(d) else {
            throw CLIError.usage("\(path) is a JWK without a private part (member d, base64url)")
        }
        let algorithm: SigningAlgorithm
        switch (jwk["kty"]?.stringValue, jwk["crv"]?.stringValue) {
        case ("EC", "P-256"): algorithm = .es256
        case ("OKP", "Ed25519"): algorithm = .edDSA
        default: throw CLIError.usage("\(path): only EC P-256 and OKP Ed25519 keys sign requests")
        }
        let key: SigningKey
        do { key = try SigningKey(algorithm: algorithm, privateKeyBytes: scalar) } catch {
            throw CLIError.usage("\(path): d is not a \(algorithm.rawValue) private key")
        }
        if let x = jwk["x"], key.publicKey.jcsValue["x"] != x || (jwk["y"] != nil && key.publicKey.jcsValue["y"] != jwk["y"]) {
            throw CLIError.usage("\(path): the JWK's public members do not belong to its private key d")
        }
        return key
    }
}
