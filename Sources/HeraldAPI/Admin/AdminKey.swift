/// A signing key slot (`GET|POST /admin/realms/{r}/keys…`). Times are RFC 3339 in whole
/// seconds, or `null`.
package struct AdminKey: Codable, Sendable, Equatable {
    package var kid: String
    package var alg: String
    /// `prepared`, `active`, `retired` or `revoked`.
    package var state: String
    @AdminNullable package var createdAt: String?
    @AdminNullable package var activateAt: String?
    @AdminNullable package var activatedAt: String?
    @AdminNullable package var retiredAt: String?
    @AdminNullable package var publishUntil: String?

    package init(kid: String, alg: String, state: String, createdAt: String?, activateAt: String?,
                 activatedAt: String?, retiredAt: String?, publishUntil: String?) {
        self.kid = kid
        self.alg = alg
        self.state = state
        self.createdAt = createdAt
        self.activateAt = activateAt
        self.activatedAt = activatedAt
        self.retiredAt = retiredAt
        self.publishUntil = publishUntil
    }

    enum CodingKeys: String, CodingKey {
        case kid, alg, state
        case createdAt = "created_at"
        case activateAt = "activate_at"
        case activatedAt = "activated_at"
        case retiredAt = "retired_at"
        case publishUntil = "publish_until"
    }
}
