import Foundation

/// Where a signing key is in its life (architecture convention 6, SPIRE's slots).
public enum KeyState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Published in the JWKS, not yet signing.
    case prepared
    /// Signing (one per realm and algorithm) and published.
    case active
    /// No longer signing; published until every token it signed has expired.
    case retired
    /// Gone from the JWKS; its private key is erased.
    case revoked
}

/// A realm signing key as the store keeps it: the private key only sealed.
public struct StoredKey: Sendable, Hashable {
    public var realm: String
    /// RFC 7638 thumbprint.
    public var kid: String
    public var algorithm: SigningAlgorithm
    public var state: KeyState
    public var createdAt: Date
    /// When a prepared key may start signing.
    public var activateAt: Date?
    public var activatedAt: Date?
    public var retiredAt: Date?
    /// When a retired key leaves the JWKS.
    public var publishUntil: Date?
    public var revokedAt: Date?
    /// The public JWK as JSON text.
    public var publicJWK: String
    /// AES-GCM sealed private key (nonce ‖ ciphertext ‖ tag); empty once revoked.
    public var sealedPrivateKey: [UInt8]

    public init(realm: String, kid: String, algorithm: SigningAlgorithm, state: KeyState, createdAt: Date,
                activateAt: Date? = nil, activatedAt: Date? = nil, retiredAt: Date? = nil, publishUntil: Date? = nil,
                revokedAt: Date? = nil, publicJWK: String, sealedPrivateKey: [UInt8]) {
        self.realm = realm
        self.kid = kid
        self.algorithm = algorithm
        self.state = state
        self.createdAt = createdAt
        self.activateAt = activateAt
        self.activatedAt = activatedAt
        self.retiredAt = retiredAt
        self.publishUntil = publishUntil
        self.revokedAt = revokedAt
        self.publicJWK = publicJWK
        self.sealedPrivateKey = sealedPrivateKey
    }

    /// Whether relying parties should see it in the JWKS.
    public var isPublished: Bool { state != .revoked }
}
