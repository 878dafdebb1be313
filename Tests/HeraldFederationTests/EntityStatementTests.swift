import Foundation
import HeraldCore
import HeraldJOSE
import Testing
@testable import HeraldFederation

@Suite("Entity statements (OpenID Federation entity configuration)")
struct EntityStatementTests {
    let fixture = FederationFixture()
    typealias F = FederationFixture

    func statement(issuer: String = F.entity, lifetime: TimeInterval = 86_400) -> EntityStatement {
        EntityStatement(issuer: issuer, iat: F.now, exp: F.now.addingTimeInterval(lifetime),
                        federationKeys: [fixture.federationKey.publicKey])
    }

    @Test("built with the wire-formats §7 claims and verified with the pinned key")
    func roundTrip() throws {
        let compact = try statement().signed(by: JWTSigner(key: fixture.federationKey))
        let claims = try JCSParser.parse(try UnverifiedJWS(compact: compact).unverifiedPayload)
        #expect(claims["iss"] == .string(F.entity) && claims["sub"] == .string(F.entity))
        #expect(claims["metadata"]?["agent_trust_issuer"] == [
            "issuer": .string(F.entity), "jwks_uri": .string(F.entity + "/.well-known/agent-trust-keys"),
            "federation_bundle_endpoint": .string(F.entity + "/federation/bundle"),
        ])
        #expect(claims["jwks"]?["keys"]?.arrayValue?.count == 1)
        #expect(try UnverifiedJWS(compact: compact).header.typ == "entity-statement+jwt")

        let verified = try EntityStatement.verify(compact, anchor: fixture.anchor, now: F.now)
        #expect(verified.bundleEndpoint == F.entity + "/federation/bundle")
        #expect(verified.statement == statement())
        #expect(verified.signingKey.thumbprint == fixture.federationKey.kid)
    }

    @Test("refused: unpinned key, other entity, expired, a bundle instead, tampered")
    func refusals() throws {
        let stranger = SigningKey.generate(.es256)
        var other = statement()
        other.federationKeys = [stranger.publicKey]
        func code(_ compact: String) -> BundleRejection.Code? {
            F.rejection { _ = try EntityStatement.verify(compact, anchor: fixture.anchor, now: F.now) }?.code
        }
        #expect(code(try other.signed(by: JWTSigner(key: stranger))) == .unpinnedKey)
        #expect(code(try statement(issuer: "https://evil.example").signed(by: JWTSigner(key: fixture.federationKey)))
            == .issuerMismatch)
        #expect(code(try statement(lifetime: -5).signed(by: JWTSigner(key: fixture.federationKey))) == .expired)
        #expect(code(try fixture.signed(fixture.bundle())) == .wrongType)
        let tampered = try statement().signed(by: JWTSigner(key: fixture.federationKey))
            .tamperingPayload { $0.replacingOccurrences(of: "/federation/bundle", with: "/evil/bundle") }
        #expect(code(tampered) == .badSignature)
    }
}
