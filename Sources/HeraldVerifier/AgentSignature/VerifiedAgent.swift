import Foundation
import HeraldCore
import HeraldJOSE

/// An agent whose signed request an ``AgentSignatureVerifier`` accepted: its passport
/// verified with a trusted issuer's key, the request signed with the passport's key,
/// fresh, and never seen before. Only the verifier creates one (architecture convention 2).
public struct VerifiedAgent: Sendable {
    /// The agent id: the passport's `sub`.
    public let agentID: String
    /// The passport's issuer (`iss`), one of the verifier's trusted issuers.
    public let issuer: String
    /// The level to authorize with: the lower of ``claimedLevel`` and ``passportLevel``.
    public let level: TrustLevel
    /// The header's `trust`, if the agent sent one.
    public let claimedLevel: TrustLevel?
    /// The passport's `trust_level`.
    public let passportLevel: TrustLevel
    /// `keyid`: the thumbprint (or declared kid) of the key that signed.
    public let keyID: String
    /// The signing algorithm, `ES256` or `EdDSA`.
    public let algorithm: String
    /// `ts`.
    public let signedAt: Date
    public let nonce: String
    /// The verified passport, every claim included (``VerifiedPassport/jwtClaims``).
    public let passport: VerifiedPassport

    /// The passport's claims (Agent-Passport carries JWT passports only).
    public var claims: JWTPassportClaims? { passport.jwtClaims }

    init(passport: VerifiedPassport, header: AgentSignatureHeader) {
        agentID = passport.subject ?? passport.passportID
        issuer = passport.issuer
        claimedLevel = header.trust
        passportLevel = passport.trustLevel
        level = min(header.trust ?? passport.trustLevel, passport.trustLevel)
        keyID = header.keyID
        algorithm = header.algorithm
        signedAt = Date(timeIntervalSince1970: TimeInterval(header.timestamp))
        nonce = header.nonce
        self.passport = passport
    }
}
