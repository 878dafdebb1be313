import Foundation
import HeraldCore
import HeraldJOSE
import Testing
@testable import HeraldFederation

@Suite("Peer anchors: what a realm pins for a peer")
struct PeerAnchorTests {
    typealias F = FederationFixture

    @Test("stored as {entity, pins, announced, last_sequence}; P-256 and Ed25519 keys read back equal")
    func codable() throws {
        let p256 = SigningKey.generate(.es256).publicKey, ed25519 = SigningKey.generate(.edDSA).publicKey
        let anchor = PeerAnchor(entity: F.entity, pins: ["b", "a"], announced: [p256, ed25519], lastSequence: 42)
        let data = try JSONEncoder().encode(anchor)
        let json = try JCSParser.parse(Array(data))
        #expect(json["pins"] == ["a", "b"] && json["last_sequence"] == 42 && json["entity"] == .string(F.entity))
        #expect(json["announced"]?.arrayValue?.map { $0["kty"] } == ["EC", "OKP"])
        #expect(try JSONDecoder().decode(PeerAnchor.self, from: data) == anchor)

        let fresh = try JSONDecoder().decode(PeerAnchor.self, from: Data(#"{"entity":"e","pins":["t"]}"#.utf8))
        #expect(fresh == PeerAnchor(entity: "e", pins: ["t"]))
        #expect(fresh.trusts(thumbprint: "t") && !fresh.trusts(thumbprint: p256.thumbprint))
        #expect(anchor.trusts(thumbprint: ed25519.thumbprint))
    }

    @Test("an entity statement signed by an announced (not pinned) key verifies")
    func entityStatementAfterRollover() throws {
        let k2 = SigningKey.generate(.es256)
        var anchor = FederationFixture().anchor
        anchor.announced = [k2.publicKey]
        let statement = EntityStatement(issuer: F.entity, iat: F.now, exp: F.now.addingTimeInterval(60),
                                        federationKeys: [k2.publicKey])
        let verified = try EntityStatement.verify(try statement.signed(by: JWTSigner(key: k2)), anchor: anchor, now: F.now)
        #expect(verified.signingKey.thumbprint == k2.kid)
    }
}
