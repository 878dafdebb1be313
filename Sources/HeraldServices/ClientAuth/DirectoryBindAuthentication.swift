import Foundation
import HeraldCore

/// `auth: ldap_bind` (wire-formats §3): the client secret, sent as for
/// `client_secret_basic` or `client_secret_post`, is the agent's directory password and is
/// checked by an LDAP bind as the agent's entry. With `directory.ldap.agent_bind: true` an
/// agent without a registered client may do the same with its agent id as `client_id`.
extension ClientAuthenticator {
    /// The client, when `credentials` are for a directory-bind client; nil when they are
    /// for any other kind of client (``verify(_:realm:)`` then handles them).
    /// The password is never logged or put in an error's reason.
    package func authenticateThroughDirectory(_ credentials: Credentials, realm: RealmRuntime)
        async throws(ServiceError) -> ClientProfile?
    {
        guard let ldap = realm.config.ldap,
              ldap.agentBind || realm.config.clients.contains(where: { $0.auth == .ldapBind })
        else { return nil }
        let clientID: String, secret: String
        switch credentials {
        case .basic(let id, let value), .post(let id, let value): (clientID, secret) = (id, value)
        case .assertion: return nil
        }
        let profile: ClientProfile
        if let registered = realm.profile(clientID: clientID) {
            guard registered.client.auth == .ldapBind else { return nil }
            profile = registered
        } else if realm.config.ldap?.agentBind == true {
            profile = ClientProfile(client: Client(clientID: clientID, subject: clientID, auth: .ldapBind), keys: [],
                                    fixed: nil)
        } else {
            return nil
        }
        guard let directory = realm.directory as? any PasswordCheckingDirectory else {
            throw .invalidClient(realm: realm.name, reason: "client \(clientID) uses ldap_bind but the realm has no LDAP directory")
        }
        let matches: Bool
        do { matches = try await directory.checkPassword(secret, agentID: profile.client.subject) } catch {
            throw .unavailable("the directory is not reachable; retry shortly",
                               reason: "LDAP bind for client \(clientID) failed: \(error)")
        }
        guard matches else {
            throw .invalidClient(realm: realm.name,
                                 reason: "LDAP bind as agent \(profile.client.subject) refused for client \(clientID)")
        }
        return profile
    }
}
