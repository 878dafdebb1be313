/// `GET /admin/realms/{r}/federation/peers`.
package struct AdminPeerList: Codable, Sendable, Equatable {
    package var peers: [AdminPeer]

    package init(peers: [AdminPeer]) {
        self.peers = peers
    }
}
