import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies agent passports offline (wire-formats §4) against an issuer's key set, in
/// either format:
///
/// - a JWT passport: the algorithm is the key's own (none, HMAC and foreign algorithms are
///   refused before any cryptography), `typ` must be `agent-passport+jwt`, the signature
///   must verify with the key the header selects, `iss` must match, `iat` may not lie in
///   the future and `exp` must not have passed;
/// - an MCPS passport (a JSON object): the shape mcps-secure's `validate_passport_format`
///   requires, the signature over the JCS of the other members with one of the set's P-256
///   keys, `issuer` matching, and `expires_at` not passed.
///
/// Keys are parsed once, at construction; a verification is one JSON parse of a few
/// hundred bytes and one ECDSA verification.
public struct PassportVerifier: Sendable {
    /// The issuer's published keys.
    public let keys: [PublicJWK]
    /// The required `iss` / `issuer`; nil accepts any issuer whose key verifies.
    public let issuer: String?
    /// Clock skew tolerated on `iat` and `exp`, in seconds.
    public let leeway: TimeInterval

    public init(keys: [PublicJWK], issuer: String? = nil, leeway: TimeInterval = 0) {
        self.keys = keys
        self.issuer = issuer
        self.leeway = leeway
    }

    /// A verifier over the JWKS document `jwks` (`{"keys":[…]}`).
    public init(jwks: Data, issuer: String? = nil, leeway: TimeInterval = 0) throws {
        self.init(keys: try PublicJWK.parseSet(json: jwks), issuer: issuer, leeway: leeway)
    }

    /// Verifies `text`: an MCPS passport (a JSON object), a compact JWT passport, or the
    /// issuance response `{"passport":"<JWT>",…}`.
    public func verify(_ text: String, now: Date = Date()) throws(PassportVerificationError) -> VerifiedPassport {
        try verify(Array(text.utf8), now: now)
    }

    /// Verifies the bytes of a passport in either format (as the `String` variant does).
    public func verify(_ bytes: [UInt8], now: Date = Date()) throws(PassportVerificationError) -> VerifiedPassport {
        guard let first = bytes.firstIndex(where: { !Self.isSpace($0) }) else {
            throw PassportVerificationError(.malformed, "the passport is empty")
        }
        guard bytes[first] == UInt8(ascii: "{") else {
            var end = bytes.endIndex
            while end > first, Self.isSpace(bytes[end - 1]) { end -= 1 }
            return try verifyJWT(String(decoding: bytes[first..<end], as: UTF8.self), now: now)
        }
        let document: JCSDocument
        do { document = try JCSParser.parse(bytes, canonicalExcluding: "signature") } catch {
            throw PassportVerificationError(.malformed, "the passport is not JSON Herald reads: \(Self.reason(error))")
        }
        if let members = document.value.objectValue, members["mcps_version"] == nil,
           let token = members["passport"]?.stringValue {
            return try verifyJWT(token, now: now)
        }
        return try verifyMCPS(document: document, now: now)
    }

    /// Verifies a compact JWT passport.
    public func verifyJWT(_ token: String, now: Date = Date()) throws(PassportVerificationError) -> VerifiedPassport {
        let unverified: UnverifiedJWS
        do { unverified = try UnverifiedJWS(compact: token) } catch {
            throw PassportVerificationError(.malformed, "not a JWT passport: \(Self.reason(error))")
        }
        guard unverified.header.typ == JWTPassportClaims.type else {
            throw PassportVerificationError(.wrongType, unverified.header.typ.map {
                "typ is \($0), expected \(JWTPassportClaims.type)"
            } ?? "the header has no typ; a JWT passport has typ \(JWTPassportClaims.type)")
        }
        let verified: VerifiedJWS
        do { verified = try unverified.verify(with: keys) } catch {
            throw Self.translate(Self.joseError(error), kid: unverified.header.kid, alg: unverified.header.alg, keyCount: keys.count)
        }
        let claims: JWTPassportClaims
        do { claims = try JWTPassportClaims(payload: verified.payload) } catch {
            throw PassportVerificationError(.malformed, Self.reason(error))
        }
        guard MCPSPassport.isWellFormedID(claims.passportID) else {
            throw PassportVerificationError(.malformed, "jti \(claims.passportID) is not asp_ and 32 lowercase hex digits")
        }
        try check(issuer: claims.issuer, name: "iss")
        try check(issuedAt: TimeInterval(claims.issuedAt), expiresAt: TimeInterval(claims.expiresAt),
                  now: now.timeIntervalSince1970)
        return VerifiedPassport(jwt: claims, key: verified.key)
    }

    /// Verifies the JSON text of an MCPS passport.
    public func verifyMCPS(json: [UInt8], now: Date = Date()) throws(PassportVerificationError) -> VerifiedPassport {
        let document: JCSDocument
        do { document = try JCSParser.parse(json, canonicalExcluding: "signature") } catch {
            throw PassportVerificationError(.malformed, "the passport is not JSON Herald reads: \(Self.reason(error))")
        }
        return try verifyMCPS(document: document, now: now)
    }

    /// Verifies a parsed MCPS passport.
    public func verifyMCPS(_ value: JCSValue, now: Date = Date()) throws(PassportVerificationError) -> VerifiedPassport {
        let unverified: UnverifiedMCPSPassport
        do { unverified = try UnverifiedMCPSPassport(value) } catch {
            throw PassportVerificationError(.malformed, "not an MCPS passport: \(Self.reason(error))")
        }
        return try verify(unverified, now: now)
    }

    private func verifyMCPS(document: JCSDocument, now: Date) throws(PassportVerificationError) -> VerifiedPassport {
        let unverified: UnverifiedMCPSPassport
        do { unverified = try UnverifiedMCPSPassport(document: document) } catch {
            throw PassportVerificationError(.malformed, "not an MCPS passport: \(Self.reason(error))")
        }
        return try verify(unverified, now: now)
    }

    private func verify(_ unverified: UnverifiedMCPSPassport, now: Date) throws(PassportVerificationError)
        -> VerifiedPassport {
        let verified: VerifiedMCPSPassport
        do { verified = try unverified.verify(with: keys) } catch {
            let error = Self.joseError(error)
            switch error.code {
            case .badSignature:
                throw PassportVerificationError(.badSignature, keys.count == 1
                    ? "signature does not verify with the key" : "signature does not verify with any key of the JWKS")
            case .unknownKey: throw PassportVerificationError(.unknownKey, error.reason)
            default: throw PassportVerificationError(.malformed, error.reason)
            }
        }
        try check(issuer: verified.passport.issuer, name: "issuer")
        try check(issuedAt: verified.passport.issuedAt.timeIntervalSince1970,
                  expiresAt: verified.passport.expiresAt.timeIntervalSince1970, now: now.timeIntervalSince1970)
        return VerifiedPassport(mcps: verified)
    }

    private func check(issuer actual: String, name: String) throws(PassportVerificationError) {
        if let issuer, actual != issuer {
            throw PassportVerificationError(.wrongIssuer, "\(name) is \(actual), expected \(issuer)")
        }
    }

    private func check(issuedAt: TimeInterval, expiresAt: TimeInterval, now: TimeInterval)
        throws(PassportVerificationError) {
        if now >= expiresAt + leeway {
            throw PassportVerificationError(.expired, "expired at \(Self.time(expiresAt))")
        }
        if issuedAt > now + leeway {
            throw PassportVerificationError(.notYetValid, "issued in the future, at \(Self.time(issuedAt))")
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func joseError(_ error: any Error) -> JOSEError {
        error as? JOSEError ?? JOSEError(.malformed, "\(error)")
    }

    private static func reason(_ error: any Error) -> String { joseError(error).reason }

    private static func time(_ seconds: TimeInterval) -> String {
        MCPSTimestamp.format(Date(timeIntervalSince1970: seconds))
    }

    private static func translate(_ error: JOSEError, kid: String?, alg: String, keyCount: Int) -> PassportVerificationError {
        switch error.code {
        case .badSignature:
            PassportVerificationError(.badSignature, kid == nil && keyCount > 1
                ? "signature does not verify with any key of the JWKS"
                : "signature does not verify with key \(kid ?? "of the JWKS")")
        case .unknownKey:
            PassportVerificationError(.unknownKey, "kid \(kid ?? "(none)") is not in the JWKS")
        case .unsupportedAlgorithm:
            PassportVerificationError(.unsupportedAlgorithm, "alg \(alg) is not accepted; passports are ES256 or EdDSA")
        case .algorithmKeyMismatch:
            PassportVerificationError(.unsupportedAlgorithm, "alg \(alg) matches no key of the JWKS")
        default:
            PassportVerificationError(.malformed, error.reason)
        }
    }
}
