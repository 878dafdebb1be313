import Foundation
import HeraldCore
import HeraldJOSE

/// A passport whose signature, type, issuer and validity period have been checked by a
/// ``PassportVerifier``; only the verifier creates one (architecture convention 2).
public struct VerifiedPassport: Sendable {
    /// The two passport formats of wire-formats §4.
    public enum Format: String, Sendable, Hashable {
        case jwt
        case mcps
    }

    public let format: Format
    /// `jti` (JWT) or `passport_id` (MCPS).
    public let passportID: String
    public let issuer: String
    /// The agent id (`sub`) of a JWT passport; MCPS passports carry none (nil).
    public let subject: String?
    public let agent: PassportAgent
    public let trustLevel: TrustLevel
    /// JWT passports only.
    public let trustScore: Int?
    /// JWT passports only.
    public let pipelineStage: String?
    public let issuedAt: Date
    public let expiresAt: Date
    /// The agent's own key (`cnf.jwk` or `public_key`).
    public let agentKey: PublicJWK
    /// The issuer key that verified the signature.
    public let signingKey: PublicJWK
    /// The status list entry of a JWT passport, if it has one.
    public let status: StatusListReference?
    /// The whole claim set of a JWT passport.
    public let jwtClaims: JWTPassportClaims?
    /// The whole MCPS passport.
    public let mcpsPassport: MCPSPassport?

    init(jwt claims: JWTPassportClaims, key: PublicJWK) {
        format = .jwt
        passportID = claims.passportID
        issuer = claims.issuer
        subject = claims.subject
        agent = claims.agent
        trustLevel = claims.trustLevel
        trustScore = claims.trustScore
        pipelineStage = claims.pipelineStage
        issuedAt = Date(timeIntervalSince1970: TimeInterval(claims.issuedAt))
        expiresAt = Date(timeIntervalSince1970: TimeInterval(claims.expiresAt))
        agentKey = claims.confirmationKey
        signingKey = key
        status = claims.status
        jwtClaims = claims
        mcpsPassport = nil
    }

    init(mcps verified: VerifiedMCPSPassport) {
        let passport = verified.passport
        format = .mcps
        passportID = passport.passportID
        issuer = passport.issuer
        subject = nil
        agent = passport.agent
        trustLevel = passport.trustLevel
        trustScore = nil
        pipelineStage = nil
        issuedAt = passport.issuedAt
        expiresAt = passport.expiresAt
        agentKey = passport.publicKey
        signingKey = verified.key
        status = nil
        jwtClaims = nil
        mcpsPassport = passport
    }
}
