import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldFederation

/// A peer realm (globex) with federation and issuer keys, and bundles it signs, at a fixed
/// time.
struct FederationFixture {
    static let entity = "https://globex.example/realms/globex"
    static let now = Date(timeIntervalSince1970: 1_764_579_600)

    var federationKey = SigningKey.generate(.es256)
    var issuerKey = SigningKey.generate(.es256)

    var anchor: PeerAnchor { PeerAnchor(entity: Self.entity, pins: [federationKey.kid]) }

    static func agent(_ sub: String, level: TrustLevel = .l2, score: Int = 70, status: BundleAgent.Status = .active,
                      updatedAt: Date = now.addingTimeInterval(-3600)) -> BundleAgent {
        BundleAgent(sub: sub, trustLevel: level, trustScore: score, pipelineStage: "ACTIVE", status: status,
                    updatedAt: updatedAt)
    }

    static let agents = [agent("billing-bot"), agent("ledger-bot", level: .l3, score: 88),
                         agent("rogue-bot", level: .l1, score: 12, status: .suspended)]

    func bundle(sequence: Int64 = 1, agents: [BundleAgent] = FederationFixture.agents, iss: String = entity,
                lifetime: TimeInterval = 3600, federationKeys: [PublicJWK]? = nil) -> TrustBundle {
        TrustBundle(iss: iss, iat: Self.now.addingTimeInterval(-60), exp: Self.now.addingTimeInterval(lifetime),
                    sequence: sequence, refreshHint: 300, issuerKeys: [issuerKey.publicKey],
                    federationKeys: federationKeys ?? [federationKey.publicKey], agents: agents)
    }

    func signed(_ bundle: TrustBundle, by key: SigningKey? = nil) throws -> String {
        try bundle.signed(by: JWTSigner(key: key ?? federationKey))
    }

    /// Parses and verifies `compact` against `anchor` at the fixture's time.
    static func verify(_ compact: String, anchor: PeerAnchor, now: Date = now) throws(BundleRejection) -> VerifiedBundle {
        try BundleVerifier.verify(try UnverifiedBundle(compact: compact), anchor: anchor, now: now)
    }

    /// The rejection `body` throws, or nil if it throws nothing (or something else).
    static func rejection(_ body: () throws -> Void) -> BundleRejection? {
        do { try body() } catch { return error as? BundleRejection }
        return nil
    }
}

extension String {
    /// The compact JWS with its payload segment replaced by `transform` of the decoded
    /// payload, signature kept.
    func tamperingPayload(_ transform: (String) -> String) -> String {
        let parts = split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let payload = String(decoding: Base64URL.decode(parts[1])!, as: UTF8.self)
        return [parts[0], Base64URL.encode(Array(transform(payload).utf8)), parts[2]].joined(separator: ".")
    }
}
