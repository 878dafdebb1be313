import Foundation
import HeraldCore

extension AdminClientEntry {
    /// The client object of `client`, without any secret or digest (the admin API's view;
    /// the export adds the digest).
    package init(_ client: Client) {
        self.init(clientID: client.clientID, subject: client.subject, auth: client.auth.rawValue,
                  scopes: client.scopes, audience: client.audience,
                  jwks: client.jwks.flatMap { try? JSONDecoder().decode(OpaqueJSON.self, from: Data($0.utf8)) },
                  assertionIdP: client.assertionIdP, assertionSubject: client.assertionSubject)
    }
}
