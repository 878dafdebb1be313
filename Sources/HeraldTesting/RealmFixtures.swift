import Foundation

/// Small realm files for tests, with the secrets they reference.
public enum RealmFixtures {
    public static let botSecret = "test-secret-0123456789abcdef"

    /// A realm `test` with three agents (L0, L2 direct, L4 through a mapped group), secret
    /// clients for each, and `tokenLifetime`/`publishAhead` as given.
    public static func testRealm(name: String = "test", tokenLifetime: String = "300s", publishAhead: String = "10m",
                                 rotation: String = "30d", algorithms: String = "[ES256]") -> String {
        """
        realm: \(name)
        token: {lifetime: \(tokenLifetime), algorithms: \(algorithms)}
        keys: {rotation_period: \(rotation), publish_ahead: \(publishAhead)}
        levels:
          L3: {tx_limit: 2500}
        role_mappings:
          - {group: vault, role: mcps-l4}
        clients:
          - {client_id: zero-bot, subject: agent-zero, auth: client_secret_basic, secret: "\(botSecret)"}
          - {client_id: two-bot, subject: agent-two, auth: client_secret_post, secret: "\(botSecret)"}
          - {client_id: four-bot, subject: agent-four, auth: client_secret_basic, secret: "\(botSecret)",
             scopes: [treasury_manage, sanctions_screen]}
        directory:
          static:
            agents:
              - {id: agent-zero, name: Zero}
              - {id: agent-two, roles: [mcps-l2], groups: [ops], org: finance}
              - {id: agent-four, roles: [mcps-l1], groups: [vault]}
        """
    }
}
