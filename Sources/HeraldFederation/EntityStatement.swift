import Foundation
import HeraldCore
import HeraldJOSE

/// A realm's entity configuration (OpenID Federation 1.0 §3, wire-formats §7), served at
/// `{issuer}/.well-known/openid-federation` with `typ: entity-statement+jwt`:
///
/// ```json
/// {"iss":"https://globex.example/realms/globex","sub":"https://globex.example/realms/globex",
///  "iat":1764579600,"exp":1764666000,"jwks":{"keys":[…federation keys…]},
///  "metadata":{"agent_trust_issuer":{"issuer":"https://globex.example/realms/globex",
///    "jwks_uri":"https://globex.example/realms/globex/.well-known/agent-trust-keys",
///    "federation_bundle_endpoint":"https://globex.example/realms/globex/federation/bundle"}}}
/// ```
///
/// Self-signed with a federation key. A peer reads one through ``verify(_:anchor:now:)``
/// to discover the bundle endpoint.
public struct EntityStatement: Sendable, Hashable {
    /// The JWS `typ` of an entity statement.
    public static let type = "entity-statement+jwt"
    /// The metadata entity type Herald publishes.
    public static let metadataType = "agent_trust_issuer"

    /// `iss` and `sub`: the realm issuer URL.
    public var issuer: String
    /// `iat`, whole seconds.
    public var iat: Date
    /// `exp`, whole seconds.
    public var exp: Date
    /// `jwks`: the realm's federation keys (current and next).
    public var federationKeys: [PublicJWK]
    /// `metadata.agent_trust_issuer.jwks_uri`: the realm's token and passport keys.
    public var jwksURI: String
    /// `metadata.agent_trust_issuer.federation_bundle_endpoint`.
    public var bundleEndpoint: String

    /// A statement; the URIs default to the paths of wire-formats §1 under `issuer`.
    public init(issuer: String, iat: Date, exp: Date, federationKeys: [PublicJWK], jwksURI: String? = nil,
                bundleEndpoint: String? = nil) {
        self.issuer = issuer
        self.iat = iat
        self.exp = exp
        self.federationKeys = federationKeys
        self.jwksURI = jwksURI ?? issuer + "/.well-known/agent-trust-keys"
        self.bundleEndpoint = bundleEndpoint ?? issuer + "/federation/bundle"
    }

    /// The claims as compact JSON.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", issuer)
        writer.key("iat")
        writer.int(Int(TrustBundle.seconds(iat)))
        writer.key("exp")
        writer.int(Int(TrustBundle.seconds(exp)))
        writer.key("jwks")
        TrustBundle.writeKeySet(federationKeys, to: &writer)
        writer.key("metadata")
        writer.beginObject()
        writer.key(Self.metadataType)
        writer.beginObject()
        writer.member("issuer", issuer)
        writer.member("jwks_uri", jwksURI)
        writer.member("federation_bundle_endpoint", bundleEndpoint)
        writer.endObject()
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    /// The compact JWS, signed by `signer` (a federation key) with `typ: entity-statement+jwt`.
    public func signed(by signer: JWTSigner) throws -> String {
        try signer.sign(claims: encoded(), typ: Self.type)
    }

    /// Verifies a peer's entity configuration: `typ`, a signature by a key the anchor
    /// trusts (pinned, with its material from the statement's own `jwks`, or announced),
    /// `iss` = `sub` = the anchor's entity, `exp` after `now`, and the
    /// `agent_trust_issuer` metadata present. The anchor is not changed.
    public static func verify(_ compact: String, anchor: PeerAnchor,
                              now: Date) throws(BundleRejection) -> VerifiedEntityStatement {
        let bundle = try UnverifiedBundle(compact: compact, maxBytes: 1 << 20)
        try BundleVerifier.checkType(bundle.header, expected: type, what: "entity statement")
        let payload = try? JCSParser.parse(bundle.jws.unverifiedPayload)
        let offered = (payload?["jwks"]).flatMap { try? TrustBundle.keySet($0, name: "jwks") } ?? []
        let verified = try BundleVerifier.checkSignature(bundle.jws, anchor: anchor, offered: offered,
                                                         what: "entity statement", unparsable: payload == nil)
        guard let payload else { throw BundleRejection(.malformed, "the entity statement payload is not JSON") }
        let statement = try EntityStatement(jcs: payload)
        guard statement.issuer == anchor.entity else {
            throw BundleRejection(.issuerMismatch, "the entity statement's iss is \(statement.issuer), "
                                  + "expected \(anchor.entity)")
        }
        guard statement.exp > now else {
            throw BundleRejection(.expired, "the entity statement expired at \(MCPSTimestamp.format(statement.exp))")
        }
        return VerifiedEntityStatement(statement: statement, signingKey: verified.key)
    }

    /// Reads the claims (iss must equal sub).
    package init(jcs value: JCSValue) throws(BundleRejection) {
        func string(_ value: JCSValue?, _ name: String) throws(BundleRejection) -> String {
            guard case .string(let text)? = value, !text.isEmpty else {
                throw BundleRejection(.malformed, "the entity statement's \(name) must be a non-empty string")
            }
            return text
        }
        func integer(_ name: String) throws(BundleRejection) -> Int64 {
            guard case .int(let number)? = value[name] else {
                throw BundleRejection(.malformed, "the entity statement's \(name) must be an integer")
            }
            return number
        }
        let issuer = try string(value["iss"], "iss")
        let subject = try string(value["sub"], "sub")
        guard issuer == subject else {
            throw BundleRejection(.issuerMismatch, "the entity statement's sub \(subject) is not its iss \(issuer)")
        }
        let metadata = value["metadata"]?[Self.metadataType]
        self.init(issuer: issuer, iat: Date(timeIntervalSince1970: TimeInterval(try integer("iat"))),
                  exp: Date(timeIntervalSince1970: TimeInterval(try integer("exp"))),
                  federationKeys: try TrustBundle.keySet(value["jwks"], name: "jwks"),
                  jwksURI: try string(metadata?["jwks_uri"], "metadata.\(Self.metadataType).jwks_uri"),
                  bundleEndpoint: try string(metadata?["federation_bundle_endpoint"],
                                             "metadata.\(Self.metadataType).federation_bundle_endpoint"))
    }
}
