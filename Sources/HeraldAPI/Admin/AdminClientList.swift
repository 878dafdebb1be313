/// `GET /admin/realms/{r}/clients`.
package struct AdminClientList: Codable, Sendable, Equatable {
    package var clients: [AdminClient]

    package init(clients: [AdminClient]) {
        self.clients = clients
    }
}
