import Foundation
import HeraldCore
import HeraldJOSE

/// A Herald access token whose signature, type, issuer, audience, validity period, status
/// and level have been checked by a ``HeraldTokenVerifier``; only the verifier creates one
/// (architecture convention 2).
public struct VerifiedAccessToken: Sendable {
    /// One party of an RFC 8693 §4.1 `act` chain.
    public struct ActingParty: Sendable, Hashable {
        /// The actor's `sub`.
        public let subject: String
        /// The actor's `client_id`, if the issuer wrote one.
        public let clientID: String?
    }

    /// `sub`: the agent (or user) the token is for.
    public let subject: String
    /// `client_id`: the client the token was issued to.
    public let clientID: String?
    /// `iss`.
    public let issuer: String
    /// `aud`, as a list.
    public let audiences: [String]
    /// `scope`, split at spaces.
    public let scopes: [String]
    /// `mcps.trust_level`.
    public var level: TrustLevel { trust.level }
    /// The whole `mcps` claim.
    public let trust: MCPSTrust
    /// `realm_access.roles`.
    public let roles: [String]
    /// The `act` chain, the current actor first, then the actors before it (RFC 8693 §4.1:
    /// nested `act` members are earlier actors). Empty for an undelegated token.
    public let actors: [ActingParty]
    /// `idp`: the upstream identity provider's issuer, for a token exchanged from one.
    public let identityProvider: String?
    /// `federated_from`: the peer realm's issuer, for a token exchanged for a peer's agent.
    public let federatedFrom: String?
    /// `jti`.
    public let tokenID: String?
    /// `iat`.
    public let issuedAt: Date?
    /// `exp`.
    public let expiresAt: Date
    /// The status list entry, if the token has one (it was checked).
    public let status: StatusListReference?
    /// The issuer key that verified the signature.
    public let signingKey: PublicJWK
    /// Every claim, as signed.
    public let claims: JCSValue

    init(claims: JCSValue, subject: String, clientID: String?, issuer: String, audiences: [String], scopes: [String],
         trust: MCPSTrust, roles: [String], actors: [ActingParty], identityProvider: String?, federatedFrom: String?,
         tokenID: String?, issuedAt: Date?, expiresAt: Date, status: StatusListReference?, signingKey: PublicJWK) {
        self.claims = claims
        self.subject = subject
        self.clientID = clientID
        self.issuer = issuer
        self.audiences = audiences
        self.scopes = scopes
        self.trust = trust
        self.roles = roles
        self.actors = actors
        self.identityProvider = identityProvider
        self.federatedFrom = federatedFrom
        self.tokenID = tokenID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.status = status
        self.signingKey = signingKey
    }
}
