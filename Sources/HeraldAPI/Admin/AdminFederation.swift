/// `GET /admin/realms/{r}/federation` (and `…/keys/rotate`): the realm's entity, the pin
/// partners need (the thumbprint of the current federation key, `null` without keys), its
/// federation keys and its peers.
package struct AdminFederation: Codable, Sendable, Equatable {
    package var entity: String
    package var entityConfiguration: String
    package var bundleEndpoint: String
    @AdminNullable package var pin: String?
    package var federationKeys: [Key]
    package var peers: [AdminPeer]

    package init(entity: String, entityConfiguration: String, bundleEndpoint: String, pin: String?,
                 federationKeys: [Key], peers: [AdminPeer]) {
        self.entity = entity
        self.entityConfiguration = entityConfiguration
        self.bundleEndpoint = bundleEndpoint
        self.pin = pin
        self.federationKeys = federationKeys
        self.peers = peers
    }

    enum CodingKeys: String, CodingKey {
        case entity, pin, peers
        case entityConfiguration = "entity_configuration"
        case bundleEndpoint = "bundle_endpoint"
        case federationKeys = "federation_keys"
    }

    /// A federation key: `current` (signs) or `next` (announced).
    package struct Key: Codable, Sendable, Equatable {
        package var kid: String
        package var state: String

        package init(kid: String, state: String) {
            self.kid = kid
            self.state = state
        }
    }
}
