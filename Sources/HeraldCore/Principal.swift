/// A directory entry an access token speaks for: an agent, as the directory describes it.
public struct Principal: Sendable, Hashable, Codable {
    /// The agent id; the token's `sub`.
    public var id: String
    public var name: String?
    /// The organisation unit a kill switch can stop as a whole.
    public var org: String?
    /// Roles held directly.
    public var roles: [String]
    /// Groups the principal belongs to (names or DNs).
    public var groups: [String]
    public var codeHash: String?

    public init(id: String, name: String? = nil, org: String? = nil, roles: [String] = [], groups: [String] = [],
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
}
