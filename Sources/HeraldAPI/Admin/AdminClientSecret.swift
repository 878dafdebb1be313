/// `POST /admin/realms/{r}/clients/{client_id}/secret`: the new secret, shown this once.
package struct AdminClientSecret: Codable, Sendable, Equatable {
    package var clientID: String
    package var clientSecret: String

    package init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientSecret = "client_secret"
    }
}
