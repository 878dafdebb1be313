import Foundation
import HeraldCore

extension HeraldTokenVerifier {
    /// What a relying party requires of the tokens it accepts.
    public struct Configuration: Sendable {
        /// The exact `iss`: the realm issuer, `{base}/realms/{realm}`.
        public var issuer: String
        /// The audiences this relying party answers to; a token's `aud` must contain one.
        public var audiences: Set<String>
        /// Clock skew tolerated on `exp`, `nbf` and `iat`.
        public var leeway: Duration
        /// The level every token must carry (an operation may require more, see
        /// ``HeraldTokenVerifier/verify(_:minimumLevel:)``).
        public var minimumLevel: TrustLevel
        /// Check the token's status list entry (wire-formats §8). On by default; off only for
        /// relying parties that accept a revocation becoming visible at the token's `exp`.
        public var checksStatus: Bool
        /// Refuse a token without a `status` claim when ``checksStatus`` is on. Herald always
        /// writes one; off by default so tokens of issuers without status lists still verify.
        public var requiresStatus: Bool
        /// The longest token read (a few hundred bytes is usual).
        public var maximumTokenBytes: Int

        /// A configuration for tokens of `issuer` meant for `audience`.
        public init(issuer: String, audience: String, leeway: Duration = .seconds(30), minimumLevel: TrustLevel = .l0,
                    checksStatus: Bool = true, requiresStatus: Bool = false, maximumTokenBytes: Int = 16 * 1024) {
            self.init(issuer: issuer, audiences: [audience], leeway: leeway, minimumLevel: minimumLevel,
                      checksStatus: checksStatus, requiresStatus: requiresStatus, maximumTokenBytes: maximumTokenBytes)
        }

        /// A configuration for tokens of `issuer` meant for any of `audiences`.
        public init(issuer: String, audiences: Set<String>, leeway: Duration = .seconds(30),
                    minimumLevel: TrustLevel = .l0, checksStatus: Bool = true, requiresStatus: Bool = false,
                    maximumTokenBytes: Int = 16 * 1024) {
            self.issuer = issuer
            self.audiences = audiences
            self.leeway = leeway
            self.minimumLevel = minimumLevel
            self.checksStatus = checksStatus
            self.requiresStatus = requiresStatus
            self.maximumTokenBytes = maximumTokenBytes
        }

        /// The realm's JWKS URL, `{issuer}/.well-known/agent-trust-keys` (wire-formats §1).
        public var defaultJWKSURL: URL? {
            URL(string: (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/agent-trust-keys")
        }
    }
}
