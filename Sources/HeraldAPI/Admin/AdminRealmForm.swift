import Foundation

/// A realm in its realm-file form, typed where admin edits change it: role mappings,
/// level overrides, clients, static-directory agents and federation peers. Every other
/// section is carried as it was exported.
///
/// An edit reads the stored realm's export into this form, changes it, and hands
/// ``json()`` back to the realm-file loader, so the API and realm files obey the same rules
/// and messages. The entries keep their values as the realm file spells them (strings, not
/// parsed levels or durations) for that reason: the loader checks them, not this type.
package struct AdminRealmForm: Codable, Sendable, Equatable {
    package var roleMappings: [AdminRoleMapping] = []
    /// Level name → the realm's overrides.
    package var levels: [String: AdminLevelCells] = [:]
    package var clients: [AdminClientEntry] = []
    /// `directory.static.agents`; nil while the directory is LDAP (``directory`` holds it).
    package var agents: [AdminAgent]?
    /// `federation.peers`; nil without a `federation` section.
    package var peers: [AdminPeerEntry]?
    /// The `directory` section as exported (used when ``agents`` is nil).
    private var directory: OpaqueJSON?
    /// The `federation` section's other members (`bundle_lifetime`, `refresh_hint`).
    private var federation: [String: OpaqueJSON] = [:]
    /// Every other top-level member (`realm`, `token`, `keys`, `trust_policy`, …).
    private var other: [String: OpaqueJSON] = [:]

    /// The form of a realm as ``RealmDocument/json(_:)`` renders it.
    package init(json: Data) throws {
        self = try JSONDecoder().decode(Self.self, from: json)
    }

    /// The form as JSON text for the realm-file loader.
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    package init(from decoder: any Decoder) throws {
        let top = try decoder.container(keyedBy: StrictKey.self)
        for key in top.allKeys {
            switch key.stringValue {
            case "role_mappings": roleMappings = try top.decode([AdminRoleMapping].self, forKey: key)
            case "levels": levels = try top.decode([String: AdminLevelCells].self, forKey: key)
            case "clients": clients = try top.decode([AdminClientEntry].self, forKey: key)
            case "directory":
                directory = try top.decode(OpaqueJSON.self, forKey: key)
                let section = try top.nestedContainer(keyedBy: StrictKey.self, forKey: key)
                if section.contains(StrictKey("static")) {
                    let staticSection = try section.nestedContainer(keyedBy: StrictKey.self, forKey: StrictKey("static"))
                    agents = try staticSection.decodeIfPresent([AdminAgent].self, forKey: StrictKey("agents")) ?? []
                }
            case "federation":
                let section = try top.nestedContainer(keyedBy: StrictKey.self, forKey: key)
                for member in section.allKeys {
                    if member.stringValue == "peers" {
                        peers = try section.decode([AdminPeerEntry].self, forKey: member)
                    } else {
                        federation[member.stringValue] = try section.decode(OpaqueJSON.self, forKey: member)
                    }
                }
                if peers == nil { peers = [] }
            default: other[key.stringValue] = try top.decode(OpaqueJSON.self, forKey: key)
            }
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var top = encoder.container(keyedBy: StrictKey.self)
        for (key, value) in other { try top.encode(value, forKey: StrictKey(key)) }
        // Empty sections are left out, as the export leaves them out.
        if !roleMappings.isEmpty { try top.encode(roleMappings, forKey: StrictKey("role_mappings")) }
        if !levels.isEmpty { try top.encode(levels, forKey: StrictKey("levels")) }
        if !clients.isEmpty { try top.encode(clients, forKey: StrictKey("clients")) }
        if let agents {
            var section = top.nestedContainer(keyedBy: StrictKey.self, forKey: StrictKey("directory"))
            var staticSection = section.nestedContainer(keyedBy: StrictKey.self, forKey: StrictKey("static"))
            try staticSection.encode(agents, forKey: StrictKey("agents"))
        } else if let directory {
            try top.encode(directory, forKey: StrictKey("directory"))
        }
        if let peers {
            var section = top.nestedContainer(keyedBy: StrictKey.self, forKey: StrictKey("federation"))
            for (key, value) in federation { try section.encode(value, forKey: StrictKey(key)) }
            try section.encode(peers, forKey: StrictKey("peers"))
        }
    }
}
