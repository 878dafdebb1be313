/// A realm's LDAP directory (`directory.ldap` in the realm file), modelled on Keycloak's LDAP
/// user federation. Stored with the realm; it holds where the bind password is, never the
/// password itself.
public struct LDAPSettings: Sendable, Hashable, Codable {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    public var url: String
    /// The service account Herald searches as; nil binds anonymously.
    public var bindDN: String?
    /// Absolute path of a file holding the service account's password.
    public var bindPasswordFile: String?
    /// Environment variable holding the service account's password.
    public var bindPasswordEnv: String?
    /// Upgrade `ldap://` with StartTLS (RFC 4513 §3) before binding.
    public var startTLS: Bool
    /// Absolute path of the PEM CA bundle that verifies the server's certificate.
    public var caFile: String?
    public var vendor: Vendor
    public var users: Users
    public var groups: Groups?
    public var mode: Mode
    /// How long a looked-up agent is served from memory before the directory is asked again.
    public var cacheTTLSeconds: Int
    /// How long "no such agent" is remembered.
    public var negativeCacheTTLSeconds: Int
    public var onUnavailable: OnUnavailable
    /// With `serve_stale`: how far past `cache_ttl` a cached agent may still be served while
    /// the directory is down.
    public var maxStaleSeconds: Int
    /// With `mode: sync`: seconds between full synchronisations.
    public var syncPeriodSeconds: Int
    /// Connect and operation timeout.
    public var timeoutSeconds: Int
    /// Agents without a registered client may authenticate with HTTP Basic, their agent id as
    /// `client_id` and their directory password as secret, checked by an LDAP bind.
    public var agentBind: Bool

    public init(url: String, bindDN: String? = nil, bindPasswordFile: String? = nil, bindPasswordEnv: String? = nil,
                startTLS: Bool = false, caFile: String? = nil, vendor: Vendor = .openldap, users: Users,
                groups: Groups? = nil, mode: Mode = .live, cacheTTLSeconds: Int = 30, negativeCacheTTLSeconds: Int = 10,
                onUnavailable: OnUnavailable = .failClosed, maxStaleSeconds: Int = 300, syncPeriodSeconds: Int = 300,
                timeoutSeconds: Int = 5, agentBind: Bool = false) {
        self.url = url
        self.bindDN = bindDN
        self.bindPasswordFile = bindPasswordFile
        self.bindPasswordEnv = bindPasswordEnv
        self.startTLS = startTLS
        self.caFile = caFile
        self.vendor = vendor
        self.users = users
        self.groups = groups
        self.mode = mode
        self.cacheTTLSeconds = cacheTTLSeconds
        self.negativeCacheTTLSeconds = negativeCacheTTLSeconds
        self.onUnavailable = onUnavailable
        self.maxStaleSeconds = maxStaleSeconds
        self.syncPeriodSeconds = syncPeriodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.agentBind = agentBind
    }

    /// Directory server flavour: how nested groups are resolved.
    public enum Vendor: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nested groups by walking `memberOf` (or the membership attribute) level by level.
        case openldap
        /// Active Directory: nested groups in one search with LDAP_MATCHING_RULE_IN_CHAIN.
        case ad
    }

    /// `live` asks the directory on a cache miss; `sync` serves a periodic full copy.
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case live, sync
    }

    /// What a token request gets while the directory cannot be reached.
    public enum OnUnavailable: String, Sendable, Hashable, Codable, CaseIterable {
        /// 503 `temporarily_unavailable`; nothing cached past its TTL is used.
        case failClosed = "fail_closed"
        /// Cached agents keep being served up to `max_stale` past their TTL, then denied.
        case serveStale = "serve_stale"
    }

    /// LDAP search scope.
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
        case base, one, sub
    }

    /// The group attribute that lists members.
    public enum MembershipAttribute: String, Sendable, Hashable, Codable, CaseIterable {
        /// Member DNs (`groupOfNames`).
        case member
        /// Member DNs (`groupOfUniqueNames`).
        case uniqueMember
        /// Member ids (`posixGroup`); not nestable.
        case memberUid
    }

    /// Where agents are and which attributes describe them.
    public struct Users: Sendable, Hashable, Codable {
        public var baseDN: String
        public var scope: Scope
        /// An RFC 4515 filter every agent entry matches.
        public var filter: String
        /// The attribute holding the agent id (the token's `sub`).
        public var idAttribute: String
        public var nameAttribute: String?
        public var orgAttribute: String?
        public var codeHashAttribute: String?
        /// An RFC 4515 filter matching disabled agents; they get no token.
        public var disabledFilter: String?

        public init(baseDN: String, scope: Scope = .sub, filter: String = "(objectClass=inetOrgPerson)",
                    idAttribute: String = "uid", nameAttribute: String? = "cn", orgAttribute: String? = nil,
                    codeHashAttribute: String? = nil, disabledFilter: String? = nil) {
            self.baseDN = baseDN
            self.scope = scope
            self.filter = filter
            self.idAttribute = idAttribute
            self.nameAttribute = nameAttribute
            self.orgAttribute = orgAttribute
            self.codeHashAttribute = codeHashAttribute
            self.disabledFilter = disabledFilter
        }
    }

    /// Where groups are and how membership is written.
    public struct Groups: Sendable, Hashable, Codable {
        public var baseDN: String
        /// An RFC 4515 filter every group matches (default: built from `objectClasses`).
        public var filter: String
        public var objectClasses: [String]
        public var membershipAttribute: MembershipAttribute
        /// The attribute on members naming their groups (`memberOf`), when the server keeps one.
        public var memberOfAttribute: String?
        /// Follow groups inside groups.
        public var nested: Bool
        /// Deepest nesting followed; deeper groups are ignored.
        public var maxDepth: Int

        public init(baseDN: String, filter: String? = nil, objectClasses: [String] = ["groupOfNames"],
                    membershipAttribute: MembershipAttribute = .member, memberOfAttribute: String? = nil,
                    nested: Bool = true, maxDepth: Int = 8) {
            self.baseDN = baseDN
            self.objectClasses = objectClasses
            self.filter = filter ?? Self.filter(objectClasses: objectClasses)
            self.membershipAttribute = membershipAttribute
            self.memberOfAttribute = memberOfAttribute
            self.nested = nested
            self.maxDepth = maxDepth
        }

        /// `(objectClass=a)` or `(|(objectClass=a)(objectClass=b))`.
        public static func filter(objectClasses: [String]) -> String {
            let terms = objectClasses.map { "(objectClass=\($0))" }
            return terms.count == 1 ? terms[0] : "(|\(terms.joined()))"
        }
    }
}
