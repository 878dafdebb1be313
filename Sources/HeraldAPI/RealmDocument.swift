import Foundation
import HeraldCore
import Yams

/// A stored realm in the realm-file form (`realm-file.md`), for export. Importing an
/// export reproduces the realm; client secrets travel as `secret_digest`, which only an
/// installation with the same master key can check.
public enum RealmDocument {
    /// The realm-file form as plain JSON-compatible values.
    public static func object(_ config: RealmConfig) -> [String: Any] {
        var document: [String: Any] = [
            "realm": config.name,
            "token": ["lifetime": DurationText.format(config.tokenLifetimeSeconds),
                      "algorithms": config.algorithms.map(\.rawValue)],
            "keys": ["rotation_period": DurationText.format(config.keyRotationSeconds),
                     "publish_ahead": DurationText.format(config.keyPublishAheadSeconds)],
            "trust_policy": ["pipeline": config.trustPolicy.pipelineRequired ? "required" : "off",
                             "earned_levels": config.trustPolicy.earnedLevels ? "on" : "off"],
            "default_tool_level": config.defaultToolLevel?.name ?? "deny",
        ]
        if let displayName = config.displayName { document["display_name"] = displayName }
        if !config.levelOverrides.isEmpty {
            document["levels"] = config.levelOverrides.mapValues(levelObject)
        }
        if !config.roleMappings.isEmpty {
            document["role_mappings"] = config.roleMappings.map { mapping in
                var object = ["group": mapping.group, "role": mapping.role]
                if let id = mapping.id { object["id"] = id }
                return object
            }
        }
        if !config.clients.isEmpty { document["clients"] = config.clients.map(clientObject) }
        document["directory"] = config.ldap.map { ["ldap": ldapObject($0)] }
            ?? ["static": ["agents": config.agents.map(agentObject)]]
        if !config.tools.isEmpty { document["tools"] = config.tools.mapValues(\.name) }
        if let federation = config.federation { document["federation"] = federationObject(federation) }
        if let bruteForce = config.bruteForce { document["brute_force"] = bruteForceObject(bruteForce) }
        if let capabilities = config.capabilities { document["capabilities"] = capabilitiesObject(capabilities) }
        if let idps = config.upstreamIdPs, !idps.isEmpty { document["upstream_idps"] = idps.map(upstreamIdPObject) }
        return document
    }

    public static func json(_ config: RealmConfig) throws -> Data {
        try YAMLSafeJSON.data(withJSONObject: object(config), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }

    public static func yaml(_ config: RealmConfig) throws -> String {
        try Yams.dump(object: object(config), width: -1, sortKeys: true)
    }

    static func federationObject(_ settings: FederationSettings) -> [String: Any] {
        ["bundle_lifetime": DurationText.format(settings.bundleLifetimeSeconds),
         "refresh_hint": DurationText.format(settings.refreshHintSeconds),
         "peers": settings.peers.map { peer in
             var object: [String: Any] = ["entity": peer.entity, "pin": peer.pin, "max_level": peer.maxLevel.name]
             if let refresh = peer.refreshSeconds { object["refresh"] = DurationText.format(refresh) }
             if let stale = peer.maxStalenessSeconds { object["max_staleness"] = DurationText.format(stale) }
             return object
         }]
    }

    /// Every key written out, so the export says what is in force.
    static func bruteForceObject(_ settings: BruteForceSettings) -> [String: Any] {
        func lockout(_ lockout: BruteForceSettings.Lockout) -> [String: Any] {
            ["max_failures": lockout.maxFailures, "wait_increment": DurationText.format(lockout.waitIncrementSeconds),
             "max_wait": DurationText.format(lockout.maxWaitSeconds),
             "failure_reset": DurationText.format(lockout.failureResetSeconds)]
        }
        var object = lockout(settings.client)
        object["enabled"] = settings.enabled
        var address = lockout(settings.address)
        address["enabled"] = settings.address.enabled
        object["per_address"] = address
        object["event_rate"] = settings.eventRate?.text ?? "off"
        return object
    }

    static func levelObject(_ row: LevelPolicyOverride) -> [String: Any] {
        var object: [String: Any] = [:]
        if let label = row.label { object["label"] = label }
        if let value = row.paymentEnabled { object["payment_enabled"] = value }
        if let value = row.txLimit { object["tx_limit"] = value }
        if let value = row.dayLimit { object["day_limit"] = value }
        if let value = row.scopes { object["scopes"] = value }
        if let value = row.earnedAtScore { object["earned_at_score"] = value }
        return object
    }

    /// A client without its secret; the digest only in exports (`includeDigest`).
    public static func clientObject(_ client: Client) -> [String: Any] {
        clientObject(client, includeDigest: true)
    }

    public static func clientObject(_ client: Client, includeDigest: Bool) -> [String: Any] {
        var object: [String: Any] = ["client_id": client.clientID, "subject": client.subject, "auth": client.auth.rawValue]
        if let scopes = client.scopes { object["scopes"] = scopes }
        if let audience = client.audience { object["audience"] = audience }
        if let jwks = client.jwks, let parsed = try? JSONSerialization.jsonObject(with: Data(jwks.utf8)) {
            object["jwks"] = parsed
        }
        if let issuer = client.assertionIdP { object["assertion_idp"] = issuer }
        if let subject = client.assertionSubject { object["assertion_subject"] = subject }
        if includeDigest, let digest = client.secretDigest { object["secret_digest"] = digest.exported }
        return object
    }

    public static func agentObject(_ agent: Principal) -> [String: Any] {
        var object: [String: Any] = ["id": agent.id, "roles": agent.roles, "groups": agent.groups]
        if let name = agent.name { object["name"] = name }
        if let org = agent.org { object["org"] = org }
        if let codeHash = agent.codeHash { object["code_hash"] = codeHash }
        return object
    }
}
