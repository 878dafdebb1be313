import Foundation
import HeraldCore
import HeraldJOSE

/// Issues agent passports (wire-formats §4) in both formats and remembers each one so that
/// MCPS `/api/verify` can answer for it.
package struct PassportIssuer: Sendable {
    /// How long a passport is valid.
    package static let lifetime: TimeInterval = 24 * 3600

    package let store: any LifecycleRepository
    package let clock: any HeraldClock

    package init(store: any LifecycleRepository, clock: any HeraldClock) {
        self.store = store
        self.clock = clock
    }

    /// What the passport says about the agent, beside what Herald decides.
    package struct Request: Sendable {
        package let agent: PassportAgent
        package let agentKey: PublicJWK
        package let origin: String?

        package init(agent: PassportAgent, agentKey: PublicJWK, origin: String?) {
            self.agent = agent
            self.agentKey = agentKey
            self.origin = origin
        }
    }

    package enum Issued: Sendable {
        case jwt(String)
        case mcps([UInt8])
    }

    package func issue(_ format: PassportRecord.Format, for principal: Principal, decision: TrustDecision,
                       record: AgentLifecycle, request: Request, in realm: RealmRuntime) async throws -> (Issued, PassportRecord) {
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        let expires = now + Self.lifetime
        let id = MCPSPassport.newID()
        let issued: Issued
        switch format {
        case .jwt:
            // wire-formats §4: the JWT passport is ES256 whatever signs the realm's tokens, so
            // the verifiers of Agent-Signature need only one algorithm.
            let signer = try Self.trustAuthorityKey(realm)
            let claims = JWTPassportClaims(
                issuer: realm.issuer, subject: principal.id, issuedAt: Int64(now.timeIntervalSince1970),
                expiresAt: Int64(expires.timeIntervalSince1970), passportID: id, agent: request.agent,
                codeHash: record.codeHash ?? principal.codeHash, trustLevel: decision.level,
                trustScore: decision.score, pipelineStage: decision.stage.rawValue,
                confirmationKey: request.agentKey,
                status: StatusListReference(index: record.statusIndex, uri: realm.statusListURI))
            issued = .jwt(try claims.signed(by: signer))
        case .mcps:
            let key = try Self.trustAuthorityKey(realm)
            let passport = MCPSPassport(passportID: id, agent: request.agent, publicKey: request.agentKey,
                                        origin: request.origin, trustLevel: decision.level, issuedAt: now,
                                        expiresAt: expires, issuer: realm.issuer)
            issued = .mcps(try passport.signed(with: key.key).json)
        }
        let stored = PassportRecord(id: id, realm: realm.name, agentID: principal.id, format: format, issuedAt: now,
                                    expiresAt: expires, trustLevel: decision.level, statusIndex: record.statusIndex)
        try await store.savePassport(stored)
        return (issued, stored)
    }

    /// The MCPS trust-authority key: the realm's active ES256 key (MCPS signs with ES256 only).
    package static func trustAuthorityKey(_ realm: RealmRuntime) throws(ServiceError) -> JWTSigner {
        guard let signer = realm.keyRing.signer(for: .es256) else {
            throw ServiceError(.unsupportedAlgorithm,
                               "realm \(realm.name) has no active ES256 key; MCPS passports need ES256 "
                                   + "(list ES256 under token.algorithms)")
        }
        return signer
    }
}
