/// An agent object of the admin API: the static-directory entry and two computed members,
/// the level its tokens get now and its roles with those of its groups' mappings.
package struct AdminAgentView: Codable, Sendable, Equatable {
    package var agent: AdminAgent
    package var trustLevel: String
    package var effectiveRoles: [String]

    package init(agent: AdminAgent, trustLevel: String, effectiveRoles: [String]) {
        self.agent = agent
        self.trustLevel = trustLevel
        self.effectiveRoles = effectiveRoles
    }

    enum CodingKeys: String, CodingKey {
        case trustLevel = "trust_level"
        case effectiveRoles = "effective_roles"
    }

    package init(from decoder: any Decoder) throws {
        agent = try AdminAgent(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        trustLevel = try container.decode(String.self, forKey: .trustLevel)
        effectiveRoles = try container.decode([String].self, forKey: .effectiveRoles)
    }

    package func encode(to encoder: any Encoder) throws {
        try agent.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(trustLevel, forKey: .trustLevel)
        try container.encode(effectiveRoles, forKey: .effectiveRoles)
    }
}
