/// A realm's stored configuration changed (an admin edit, an import): every replica must
/// rebuild the realm's runtime from the store, which also re-renders its discovery and JWKS
/// documents (they are cached by what they are rendered from).
public struct RealmChange: Sendable, Hashable, Codable {
    /// The replica that stored the change (it serves the new version already).
    public let origin: ReplicaID
    public let realm: String

    public init(origin: ReplicaID, realm: String) {
        self.origin = origin
        self.realm = realm
    }
}
