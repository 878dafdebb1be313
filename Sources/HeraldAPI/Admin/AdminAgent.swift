/// A static-directory agent as the admin API and the realm file hold it
/// (`directory.static.agents` entries): the body of `POST|PUT /admin/realms/{r}/agents…`.
/// The values are the realm-file loader's to check, with its messages.
package struct AdminAgent: AdminRequestBody, Encodable, Equatable {
    /// Absent in a replacing `PUT` (the path names the agent).
    package var id: String?
    package var name: String?
    package var org: String?
    package var roles: [String]?
    package var groups: [String]?
    package var codeHash: String?

    package static var rules: AdminBodyRules { .realmFile("") }

    package init(id: String?, name: String? = nil, org: String? = nil, roles: [String]? = nil, groups: [String]? = nil,
                 codeHash: String? = nil) {
        self.id = id
        self.name = name
        self.org = org
        self.roles = roles
        self.groups = groups
        self.codeHash = codeHash
    }

    enum CodingKeys: String, CodingKey {
        case id, name, org, roles, groups
        case codeHash = "code_hash"
    }

    /// Members the API reports (``AdminAgentView``) and ignores when they are sent back.
    private enum ComputedKeys: String, CodingKey {
        case trustLevel = "trust_level"
        case effectiveRoles = "effective_roles"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        org = try container.decodeIfPresent(String.self, forKey: .org)
        roles = try container.decodeIfPresent([String].self, forKey: .roles)
        groups = try container.decodeIfPresent([String].self, forKey: .groups)
        codeHash = try container.decodeIfPresent(String.self, forKey: .codeHash)
        let computed = try decoder.container(keyedBy: ComputedKeys.self)
        _ = try computed.decodeIfPresent(OpaqueJSON.self, forKey: .trustLevel)
        _ = try computed.decodeIfPresent(OpaqueJSON.self, forKey: .effectiveRoles)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(org, forKey: .org)
        try container.encodeIfPresent(roles, forKey: .roles)
        try container.encodeIfPresent(groups, forKey: .groups)
        try container.encodeIfPresent(codeHash, forKey: .codeHash)
    }
}
