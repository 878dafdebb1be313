/// A JSON request body of the admin API, read by ``AdminBodyDecoder``.
package protocol AdminRequestBody: Decodable, Sendable {
    /// How strictly the body is read; ``AdminBodyRules/api`` unless the body is a realm-file
    /// entry.
    static var rules: AdminBodyRules { get }
}

extension AdminRequestBody {
    package static var rules: AdminBodyRules { .api }
}

/// How ``AdminBodyDecoder`` reads one body type.
package struct AdminBodyRules: Sendable {
    /// Where the body sits in the realm-file form (`levels`), prefixed to the paths in messages.
    package var path: String
    /// A member the type does not declare is refused, as the realm-file loader refuses an
    /// unknown key; otherwise it is ignored, as the admin API always did.
    package var refusesUnknownMembers: Bool
    /// Each string member of the body itself must be non-empty (the admin API's own members:
    /// a reason, an approver). A realm-file entry's strings follow the loader's rules instead.
    package var requiresNonEmptyStrings: Bool

    /// A body of the admin API's own: required strings non-empty, unknown members ignored.
    package static let api = AdminBodyRules(path: "", refusesUnknownMembers: false, requiresNonEmptyStrings: true)

    /// A realm-file entry (an agent, a client, level cells) at `path`: unknown members refused.
    package static func realmFile(_ path: String) -> AdminBodyRules {
        AdminBodyRules(path: path, refusesUnknownMembers: true, requiresNonEmptyStrings: false)
    }
}

/// A member type that says what to send in its place when a body holds something else
/// (`levels.L2 must be an object of cells`).
package protocol AdminBodyExpectation {
    static var expectation: String { get }
}
