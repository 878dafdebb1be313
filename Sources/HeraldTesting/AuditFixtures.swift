import Foundation
import HeraldCore
import HeraldJOSE
import HeraldStore

/// Audit events and a checkpoint signer for tests.
public enum AuditFixtures {
    /// A fixed start time for audit events (matches ``ManualClock``'s default).
    public static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Event `index` of a realm: alternating `token.issued` and `token.denied`, with an
    /// agent and client that cycle through three values, one second apart from ``start``.
    public static func event(_ index: Int, realm: String = "acme") -> AuditEvent {
        let issued = index % 2 == 0
        return AuditEvent(
            type: issued ? "token.issued" : "token.denied", realm: realm,
            time: start.addingTimeInterval(TimeInterval(index)), actor: "bot-\(index % 3)",
            agent: "agent-\(index % 3)", client: "bot-\(index % 3)", reason: issued ? nil : "level too low",
            detail: ["jti": "jti-\(index)", "level": "L\(index % 5)"])
    }

    /// Signs checkpoints as the server does (ES256 compact JWS, `typ` `audit-checkpoint+jwt`)
    /// with a key generated for the test, and verifies them as the CLI does.
    public struct CheckpointSigner: Sendable {
        public let signer: JWTSigner

        public init() { signer = JWTSigner(key: SigningKey.generate(.es256)) }

        public func sign(_ payload: [UInt8]) throws -> String {
            try signer.sign(claims: payload, typ: AuditCheckpoint.jwsType)
        }

        /// The verified payload, or throws for a bad signature or a wrong `typ`.
        public func verify(_ jws: String) throws -> [UInt8] {
            let verified = try UnverifiedJWS(compact: jws).verify(with: [signer.key.publicKey])
            guard verified.header.typ == AuditCheckpoint.jwsType else {
                throw HeraldError(.crypto, "typ \(verified.header.typ ?? "none") is not \(AuditCheckpoint.jwsType)")
            }
            return verified.payload
        }
    }
}
