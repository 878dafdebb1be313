import Foundation
import HeraldCore
import HeraldJOSE
import Logging

/// The `master` realm holds the admin clients (as in Keycloak). Created on first start with
/// one client whose credentials are written once to `data/admin-credentials` (mode 0600).
package enum MasterRealm {
    package static let name = "master"
    package static let adminRole = "herald-admin"
    package static let adminClientID = "herald-admin"

    /// Creates the master realm when the store has none.
    package static func bootstrap(store: any RealmRepository, hasher: SecretHasher, dataDirectory: String, logger: Logger)
        async throws
    {
        guard try await store.realm(named: name) == nil else { return }
        let secret = ClientSecret.generate()
        let path = (dataDirectory as NSString).appendingPathComponent("admin-credentials")
        let credentials = try JSONSerialization.data(withJSONObject: [
            "realm": name, "client_id": adminClientID, "client_secret": secret,
        ], options: [.sortedKeys])
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: credentials + Data("\n".utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw HeraldError(.storage, "cannot write the admin credentials to \(path)") }
        let realm = RealmConfig(
            name: name, displayName: "Herald administration", tokenLifetimeSeconds: 300,
            clients: [Client(clientID: adminClientID, subject: adminClientID, auth: .clientSecretBasic,
                             secretDigest: hasher.digest(secret))],
            agents: [Principal(id: adminClientID, name: "Herald administrator", roles: [adminRole])])
        try await store.save(realm)
        logger.notice("created the master realm; admin client credentials written once", metadata: ["file": "\(path)"])
    }
}
