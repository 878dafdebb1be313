import HeraldCore

/// The agent an ``AgentTrustMiddleware`` let through, as the route sees it: who it is, the
/// level to authorize with, and the verified credentials behind it.
public struct TrustedAgent: Sendable {
    /// Which credentials the request carried.
    public enum Credentials: String, Sendable, Hashable {
        /// `Authorization: Bearer` with a Herald access token.
        case bearer
        /// `Agent-Signature` and `Agent-Passport` (wire-formats §5).
        case signature
        /// Both, for the same subject.
        case bearerAndSignature = "bearer_and_signature"
    }

    /// The agent id: the token's `sub`, or the passport's `sub` (equal when both are present).
    public let subject: String
    /// The level to authorize with: the token's `mcps.trust_level`, the signature's effective
    /// level (the lower of `trust` and the passport's), or the lower of the two.
    public let level: TrustLevel
    /// Which credentials were verified.
    public let credentials: Credentials
    /// The verified access token, when the request had one.
    public let token: VerifiedAccessToken?
    /// The verified signed request, when the request had one.
    public let signature: VerifiedAgent?

    init(token: VerifiedAccessToken?, signature: VerifiedAgent?) {
        precondition(token != nil || signature != nil, "a trusted agent has at least one verified credential")
        self.token = token
        self.signature = signature
        switch (token, signature) {
        case (let token?, let signature?):
            subject = token.subject
            level = min(token.level, signature.level)
            credentials = .bearerAndSignature
        case (let token?, nil):
            subject = token.subject
            level = token.level
            credentials = .bearer
        case (nil, let signature?):
            subject = signature.agentID
            level = signature.level
            credentials = .signature
        case (nil, nil):
            preconditionFailure("unreachable")
        }
    }
}
