import Foundation
import HeraldJOSE

/// A trust bundle whose signature, type, issuer, sequence and lifetime ``BundleVerifier``
/// has checked against a ``PeerAnchor``. Only the verifier makes one.
public struct VerifiedBundle: Sendable {
    /// The payload.
    public let content: TrustBundle
    /// The key that signed it.
    public let signingKey: PublicJWK
    /// The anchor to store once the bundle has been applied: `lastSequence` advanced to
    /// this bundle's sequence, `announced` set to its `federation_keys`. Store it only
    /// after ``PeerView/apply(_:)`` succeeds, so a refused delta does not advance it.
    public let updatedAnchor: PeerAnchor
    /// The `now` it was verified at: the "last good" time of the peer view.
    public let verifiedAt: Date
    /// The compact JWS as received, to store as the last good bundle.
    public let compact: String

    /// RFC 7638 thumbprint of the key that signed it.
    public var signingKeyThumbprint: String { signingKey.thumbprint }

    init(content: TrustBundle, signingKey: PublicJWK, updatedAnchor: PeerAnchor, verifiedAt: Date, compact: String) {
        self.content = content
        self.signingKey = signingKey
        self.updatedAnchor = updatedAnchor
        self.verifiedAt = verifiedAt
        self.compact = compact
    }
}
