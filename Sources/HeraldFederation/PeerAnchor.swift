import Foundation
import HeraldJOSE

/// What a realm holds about one peer to decide whether a bundle really comes from it
/// (wire-formats §7): the peer's entity id, the thumbprints of its federation keys pinned
/// out of band, the keys its last verified bundle announced, and the last sequence accepted.
///
/// A bundle is trusted when signed by a pinned key or by a key in ``announced``. The pins
/// never change here (only the operator changes them); ``announced`` is replaced by the
/// `federation_keys` of every verified bundle, so a rollover (K1 signs a bundle announcing
/// K2, then K2 signs) needs no re-pinning, and a key the peer stops listing stops being
/// trusted unless it is pinned. To distrust a compromised pinned key, remove its pin.
///
/// Codable for storage: `{"entity","pins":[…],"announced":[JWK…],"last_sequence"}`.
public struct PeerAnchor: Sendable, Hashable {
    /// The peer's entity id: its realm issuer URL, which must equal the bundle's `iss`.
    public var entity: String
    /// RFC 7638 thumbprints of the peer's federation keys, exchanged out of band.
    public var pins: Set<String>
    /// The `federation_keys` of the last verified bundle (current and next).
    public var announced: [PublicJWK]
    /// The `sequence` of the last accepted bundle; nil before the first.
    public var lastSequence: Int64?

    /// An anchor for `entity` trusting the keys whose thumbprints are `pins`.
    public init(entity: String, pins: Set<String>, announced: [PublicJWK] = [], lastSequence: Int64? = nil) {
        self.entity = entity
        self.pins = pins
        self.announced = announced
        self.lastSequence = lastSequence
    }

    /// Whether a key with this RFC 7638 thumbprint may sign the peer's bundles.
    public func trusts(thumbprint: String) -> Bool {
        pins.contains(thumbprint) || announced.contains { $0.thumbprint == thumbprint }
    }

    /// The keys that may have signed a JWS whose header names `kid`: announced keys, and
    /// `offered` keys (from the unverified payload) whose thumbprint is pinned. The
    /// thumbprint binds an offered key to its pin, so taking its material from the payload
    /// is safe. A nil `kid` admits every trusted key.
    func candidates(kid: String?, offered: [PublicJWK]) -> [PublicJWK] {
        func named(_ key: PublicJWK) -> Bool { kid == nil || kid == key.thumbprint || kid == key.declaredKID }
        var keys = announced.filter(named)
        for key in offered where pins.contains(key.thumbprint) && named(key)
            && !keys.contains(where: { $0.thumbprint == key.thumbprint }) {
            keys.append(key)
        }
        return keys
    }
}

extension PeerAnchor: Codable {
    private enum CodingKeys: String, CodingKey {
        case entity, pins, announced, lastSequence = "last_sequence"
    }

    /// A public JWK as stored: the members ``PublicJWK/init(jcs:)`` reads.
    private struct StoredKey: Codable {
        var kty: String
        var crv: String
        var x: String
        var y: String?
        var kid: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stored = try container.decodeIfPresent([StoredKey].self, forKey: .announced) ?? []
        var announced: [PublicJWK] = []
        for key in stored {
            var members: [String: JCSValue] = ["kty": .string(key.kty), "crv": .string(key.crv), "x": .string(key.x)]
            if let y = key.y { members["y"] = .string(y) }
            if let kid = key.kid { members["kid"] = .string(kid) }
            do { announced.append(TrustBundle.normalized(try PublicJWK(jcs: .object(members)))) } catch {
                throw DecodingError.dataCorruptedError(forKey: .announced, in: container,
                                                       debugDescription: "an announced key does not decode: \(error)")
            }
        }
        self.init(entity: try container.decode(String.self, forKey: .entity),
                  pins: Set(try container.decode([String].self, forKey: .pins)), announced: announced,
                  lastSequence: try container.decodeIfPresent(Int64.self, forKey: .lastSequence))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entity, forKey: .entity)
        try container.encode(pins.sorted(), forKey: .pins)
        let stored = announced.map { key in
            let members = key.jcsValue
            return StoredKey(kty: members["kty"]?.stringValue ?? "", crv: members["crv"]?.stringValue ?? "",
                             x: members["x"]?.stringValue ?? "", y: members["y"]?.stringValue, kid: key.declaredKID)
        }
        try container.encode(stored, forKey: .announced)
        try container.encodeIfPresent(lastSequence, forKey: .lastSequence)
    }
}
