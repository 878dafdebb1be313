import Crypto
import Foundation
import HeraldCore
import Synchronization

/// The signing keys of one realm as the server uses them: the active key per algorithm
/// and the JWKS of every published key (prepared, active, retired). Rebuilt from the store
/// whenever a key changes state; reads are a lock and a copy, cheap on the token path.
public final class KeyRing: Sendable {
    /// The published key set, ready to serve.
    public struct Published: Sendable {
        public let keys: [PublicJWK]
        /// `{"keys":[...]}` exactly as served.
        public let body: [UInt8]
        /// Strong validator: quoted base64url SHA-256 of `body`.
        public let etag: String
    }

    private struct State: Sendable {
        var signers: [SigningAlgorithm: JWTSigner] = [:]
        var published = KeyRing.publish([])
    }

    public let realm: String
    private let state = Mutex(State())

    public init(realm: String) { self.realm = realm }

    /// Replaces the ring's contents with `keys` (the realm's stored keys), opening the
    /// active private keys with `sealer`.
    public func install(_ keys: [StoredKey], sealer: KeySealer) throws {
        var signers: [SigningAlgorithm: JWTSigner] = [:]
        var published: [PublicJWK] = []
        // Active keys first so that naive clients that take the first key pick a signing one.
        let order: [KeyState] = [.active, .prepared, .retired]
        for state in order {
            for stored in keys where stored.state == state {
                let publicKey = try PublicJWK(json: Data(stored.publicJWK.utf8))
                guard publicKey.thumbprint == stored.kid else {
                    throw JOSEError(.invalidKey, "stored key \(stored.kid) of \(realm) does not match its public JWK")
                }
                published.append(publicKey)
                if state == .active {
                    let bytes = try sealer.open(stored.sealedPrivateKey, realm: realm, kid: stored.kid)
                    let key = try SigningKey(algorithm: stored.algorithm, privateKeyBytes: bytes)
                    guard key.kid == stored.kid else {
                        throw JOSEError(.invalidKey, "stored private key \(stored.kid) of \(realm) does not match its kid")
                    }
                    signers[stored.algorithm] = JWTSigner(key: key)
                }
            }
        }
        let document = Self.publish(published)
        state.withLock {
            $0.signers = signers
            $0.published = document
        }
    }

    /// The key that signs with `algorithm`, if one is active.
    public func signer(for algorithm: SigningAlgorithm) -> JWTSigner? {
        state.withLock { $0.signers[algorithm] }
    }

    /// The JWKS as currently published.
    public var published: Published { state.withLock { $0.published } }

    private static func publish(_ keys: [PublicJWK]) -> Published {
        var writer = JSONWriter(capacity: 256 * max(keys.count, 1))
        writer.beginObject()
        writer.key("keys")
        writer.beginArray()
        for key in keys { key.write(to: &writer, includeMetadata: true) }
        writer.endArray()
        writer.endObject()
        let etag = "\"" + Base64URL.encode(Array(SHA256.hash(data: writer.bytes))) + "\""
        return Published(keys: keys, body: writer.bytes, etag: etag)
    }
}
