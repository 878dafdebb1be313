/// `GET /admin/realms/{r}/clients`.
package struct AdminClientList: Codable, Sendable, Equatable {
    package var clients: [AdminClientEntry]

    package init(clients: [AdminClientEntry]) {
        self.clients = clients
    }
}
