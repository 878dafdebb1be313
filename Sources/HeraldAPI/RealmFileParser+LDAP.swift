import Foundation
import HeraldCore
import Yams

/// `directory.ldap`: Keycloak-style LDAP user federation (docs/configuration.md, "LDAP
/// directory"). The bind password stays in its file or environment variable; the stored
/// realm keeps only where it is.
extension RealmFileParser {
    static let ldapKeys = ["url", "bind_dn", "bind_password_file", "bind_password_env", "start_tls", "ca_file", "vendor",
                           "users", "groups", "mode", "cache_ttl", "negative_cache_ttl", "on_unavailable", "max_stale",
                           "sync_period", "timeout", "agent_bind"]
    static let ldapUserKeys = ["base_dn", "scope", "filter", "id_attribute", "name_attribute", "org_attribute",
                               "code_hash_attribute", "disabled_filter"]
    static let ldapGroupKeys = ["base_dn", "filter", "object_classes", "membership_attribute", "member_of_attribute",
                                "nested", "max_depth"]
    static let attributePattern = "[A-Za-z][A-Za-z0-9-]{0,63}|[0-9]+(\\.[0-9]+)+"
    static let dnPattern = "[^\\n]{0,1024}"

    func parseLDAP(_ node: Node) -> LDAPSettings? {
        let path = "directory.ldap"
        guard let fields = reader.mapping(node, path, allowed: Self.ldapKeys) else { return nil }
        guard let urlNode = fields["url"], let usersNode = fields["users"] else {
            reader.issue(node, path, "an LDAP directory needs url and users (at least users.base_dn)")
            return nil
        }
        guard let url = reader.string(urlNode, "\(path).url", pattern: "(?i:ldaps?)://[^\\s/?#]+/?",
                                      hint: "write ldap://host[:port] or ldaps://host[:port]"),
              let users = parseLDAPUsers(usersNode, path: "\(path).users")
        else { return nil }
        var settings = LDAPSettings(url: url, users: users)
        if let node = fields["bind_dn"] { settings.bindDN = reader.string(node, "\(path).bind_dn", pattern: Self.dnPattern) }
        let passwordKeys = ["bind_password_file", "bind_password_env"].filter { fields[$0] != nil }
        if passwordKeys.count > 1 {
            reader.issue(fields["bind_password_env"], path, "give bind_password_file or bind_password_env, not both")
        }
        if let node = fields["bind_password_file"], let file = reader.string(node, "\(path).bind_password_file") {
            let absolute = absolutePath(file)
            if FileManager.default.isReadableFile(atPath: absolute) {
                settings.bindPasswordFile = absolute
            } else {
                reader.issue(node, "\(path).bind_password_file",
                             "cannot read \(absolute); create it or fix the path (relative to the realm file)")
            }
        }
        if let node = fields["bind_password_env"], let name = reader.string(node, "\(path).bind_password_env") {
            if environment[name] == nil {
                reader.issue(node, "\(path).bind_password_env", "environment variable \(name) is not set")
            }
            settings.bindPasswordEnv = name
        }
        if settings.bindDN != nil && passwordKeys.isEmpty {
            reader.issue(fields["bind_dn"], "\(path).bind_dn", "bind_dn needs bind_password_file or bind_password_env")
        }
        if settings.bindDN == nil && !passwordKeys.isEmpty {
            reader.issue(node, path, "a bind password needs bind_dn (the account it belongs to)")
        }
        if let node = fields["start_tls"] { settings.startTLS = reader.bool(node, "\(path).start_tls") ?? false }
        if settings.startTLS && url.lowercased().hasPrefix("ldaps://") {
            reader.issue(fields["start_tls"], "\(path).start_tls", "ldaps:// is TLS already; start_tls is for ldap:// URLs")
        }
        if let node = fields["ca_file"], let file = reader.string(node, "\(path).ca_file") {
            let absolute = absolutePath(file)
            if FileManager.default.isReadableFile(atPath: absolute) {
                settings.caFile = absolute
            } else {
                reader.issue(node, "\(path).ca_file", "cannot read \(absolute) (a PEM CA bundle, relative to the realm file)")
            }
            if !settings.startTLS && !url.lowercased().hasPrefix("ldaps://") {
                reader.issue(node, "\(path).ca_file", "ca_file is used only with ldaps:// or start_tls: true")
            }
        }
        if let node = fields["vendor"] {
            settings.vendor = reader.choice(node, "\(path).vendor", options(LDAPSettings.Vendor.self)) ?? .openldap
        }
        if let node = fields["groups"] { settings.groups = parseLDAPGroups(node, path: "\(path).groups") }
        if settings.vendor == .ad, settings.groups?.membershipAttribute == .memberUid {
            reader.issue(fields["groups"], "\(path).groups.membership_attribute",
                         "Active Directory groups list members by DN; use member")
        }
        if let node = fields["mode"] { settings.mode = reader.choice(node, "\(path).mode", options(LDAPSettings.Mode.self)) ?? .live }
        if let node = fields["cache_ttl"] {
            settings.cacheTTLSeconds = reader.duration(node, "\(path).cache_ttl", atLeast: 1, atMost: 86400) ?? 30
        }
        if let node = fields["negative_cache_ttl"] {
            settings.negativeCacheTTLSeconds = reader.duration(node, "\(path).negative_cache_ttl", atLeast: 1, atMost: 3600) ?? 10
        }
        if let node = fields["on_unavailable"] {
            settings.onUnavailable = reader.choice(node, "\(path).on_unavailable", options(LDAPSettings.OnUnavailable.self))
                ?? .failClosed
        }
        if let node = fields["max_stale"] {
            settings.maxStaleSeconds = reader.duration(node, "\(path).max_stale", atLeast: 1, atMost: 7 * 86400) ?? 300
            if settings.onUnavailable != .serveStale {
                reader.issue(node, "\(path).max_stale", "max_stale applies only with on_unavailable: serve_stale")
            }
        }
        if let node = fields["sync_period"] {
            settings.syncPeriodSeconds = reader.duration(node, "\(path).sync_period", atLeast: 10, atMost: 86400) ?? 300
            if settings.mode != .sync { reader.issue(node, "\(path).sync_period", "sync_period applies only with mode: sync") }
        }
        if let node = fields["timeout"] {
            settings.timeoutSeconds = reader.duration(node, "\(path).timeout", atLeast: 1, atMost: 120) ?? 5
        }
        if let node = fields["agent_bind"] { settings.agentBind = reader.bool(node, "\(path).agent_bind") ?? false }
        return settings
    }

    private func parseLDAPUsers(_ node: Node, path: String) -> LDAPSettings.Users? {
        guard let fields = reader.mapping(node, path, allowed: Self.ldapUserKeys) else { return nil }
        guard let baseNode = fields["base_dn"],
              let baseDN = reader.string(baseNode, "\(path).base_dn", pattern: Self.dnPattern)
        else {
            if fields["base_dn"] == nil { reader.issue(node, path, "users needs base_dn, e.g. ou=agents,dc=acme,dc=test") }
            return nil
        }
        var users = LDAPSettings.Users(baseDN: baseDN)
        if let node = fields["scope"] { users.scope = reader.choice(node, "\(path).scope", options(LDAPSettings.Scope.self)) ?? .sub }
        if let node = fields["filter"], let filter = ldapFilter(node, "\(path).filter") { users.filter = filter }
        if let node = fields["id_attribute"], let name = attribute(node, "\(path).id_attribute") { users.idAttribute = name }
        if let node = fields["name_attribute"] { users.nameAttribute = attribute(node, "\(path).name_attribute") }
        if let node = fields["org_attribute"] { users.orgAttribute = attribute(node, "\(path).org_attribute") }
        if let node = fields["code_hash_attribute"] { users.codeHashAttribute = attribute(node, "\(path).code_hash_attribute") }
        if let node = fields["disabled_filter"] { users.disabledFilter = ldapFilter(node, "\(path).disabled_filter") }
        return users
    }

    private func parseLDAPGroups(_ node: Node, path: String) -> LDAPSettings.Groups? {
        guard let fields = reader.mapping(node, path, allowed: Self.ldapGroupKeys) else { return nil }
        guard let baseNode = fields["base_dn"],
              let baseDN = reader.string(baseNode, "\(path).base_dn", pattern: Self.dnPattern)
        else {
            if fields["base_dn"] == nil { reader.issue(node, path, "groups needs base_dn, e.g. ou=groups,dc=acme,dc=test") }
            return nil
        }
        var objectClasses = ["groupOfNames"]
        if let node = fields["object_classes"],
           let classes = reader.strings(node, "\(path).object_classes", pattern: Self.attributePattern,
                                        hint: "an object class name such as groupOfNames") {
            if classes.isEmpty { reader.issue(node, "\(path).object_classes", "list at least one object class") } else {
                objectClasses = classes
            }
        }
        var membership = LDAPSettings.MembershipAttribute.member
        if let node = fields["membership_attribute"] {
            membership = reader.choice(node, "\(path).membership_attribute", options(LDAPSettings.MembershipAttribute.self))
                ?? .member
        }
        let filter = fields["filter"].flatMap { ldapFilter($0, "\(path).filter") }
        var groups = LDAPSettings.Groups(baseDN: baseDN, filter: filter, objectClasses: objectClasses,
                                         membershipAttribute: membership)
        if let node = fields["member_of_attribute"] { groups.memberOfAttribute = attribute(node, "\(path).member_of_attribute") }
        if let node = fields["nested"] { groups.nested = reader.bool(node, "\(path).nested") ?? true }
        if let node = fields["max_depth"] { groups.maxDepth = reader.int(node, "\(path).max_depth", range: 1...32) ?? 8 }
        if membership == .memberUid && fields["nested"].flatMap({ $0.string }).map({ ["true", "on", "yes"].contains($0) }) == true {
            reader.issue(fields["nested"], "\(path).nested", "memberUid groups list user ids, so they cannot nest; remove nested")
        }
        if membership == .memberUid { groups.nested = false }
        return groups
    }

    private func attribute(_ node: Node, _ path: String) -> String? {
        reader.string(node, path, pattern: Self.attributePattern, hint: "an attribute name such as uid, cn or memberOf")
    }

    /// An RFC 4515 filter: parenthesised (added when missing) and balanced.
    private func ldapFilter(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path, pattern: "[^\\n]{1,1024}") else { return nil }
        let filter = text.hasPrefix("(") ? text : "(\(text))"
        var depth = 0
        var escaped = false
        for character in filter {
            if escaped { escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { break }
            default: break
            }
            if depth < 0 { break }
        }
        guard depth == 0 else {
            reader.issue(node, path, "'\(text)' is not an LDAP filter: its parentheses do not balance")
            return nil
        }
        return filter
    }

    private func absolutePath(_ file: String) -> String {
        file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
    }

    private func options<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> [String: T] where T.RawValue == String {
        Dictionary(uniqueKeysWithValues: T.allCases.map { ($0.rawValue, $0) })
    }
}
