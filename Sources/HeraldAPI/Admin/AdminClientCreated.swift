/// `POST /admin/realms/{r}/clients`: the client object, and for a secret client the
/// generated secret (`client_secret`), shown this once.
package struct AdminClientCreated: Codable, Sendable, Equatable {
    package var client: AdminClientEntry
    package var clientSecret: String?

    package init(client: AdminClientEntry, clientSecret: String?) {
        self.client = client
        self.clientSecret = clientSecret
    }

    enum CodingKeys: String, CodingKey {
        case clientSecret = "client_secret"
    }

    package init(from decoder: any Decoder) throws {
        client = try AdminClientEntry(from: decoder)
        clientSecret = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .clientSecret)
    }

    package func encode(to encoder: any Encoder) throws {
        try client.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(clientSecret, forKey: .clientSecret)
    }
}
