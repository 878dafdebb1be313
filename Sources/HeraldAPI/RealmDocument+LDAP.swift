import HeraldCore

extension RealmDocument {
    /// `directory.ldap` in the realm-file form (paths as stored: absolute).
    public static func ldapObject(_ settings: LDAPSettings) -> [String: Any] {
        var object: [String: Any] = [
            "url": settings.url, "start_tls": settings.startTLS, "vendor": settings.vendor.rawValue,
            "mode": settings.mode.rawValue, "cache_ttl": DurationText.format(settings.cacheTTLSeconds),
            "negative_cache_ttl": DurationText.format(settings.negativeCacheTTLSeconds),
            "on_unavailable": settings.onUnavailable.rawValue, "timeout": DurationText.format(settings.timeoutSeconds),
            "agent_bind": settings.agentBind,
        ]
        if let value = settings.bindDN { object["bind_dn"] = value }
        if let value = settings.bindPasswordFile { object["bind_password_file"] = value }
        if let value = settings.bindPasswordEnv { object["bind_password_env"] = value }
        if let value = settings.caFile { object["ca_file"] = value }
        if settings.onUnavailable == .serveStale { object["max_stale"] = DurationText.format(settings.maxStaleSeconds) }
        if settings.mode == .sync { object["sync_period"] = DurationText.format(settings.syncPeriodSeconds) }
        let users = settings.users
        var usersObject: [String: Any] = ["base_dn": users.baseDN, "scope": users.scope.rawValue, "filter": users.filter,
                                          "id_attribute": users.idAttribute]
        if let value = users.nameAttribute { usersObject["name_attribute"] = value }
        if let value = users.orgAttribute { usersObject["org_attribute"] = value }
        if let value = users.codeHashAttribute { usersObject["code_hash_attribute"] = value }
        if let value = users.disabledFilter { usersObject["disabled_filter"] = value }
        object["users"] = usersObject
        if let groups = settings.groups {
            var groupsObject: [String: Any] = ["base_dn": groups.baseDN, "filter": groups.filter,
                                               "object_classes": groups.objectClasses,
                                               "membership_attribute": groups.membershipAttribute.rawValue,
                                               "max_depth": groups.maxDepth]
            if groups.membershipAttribute != .memberUid { groupsObject["nested"] = groups.nested }
            if let value = groups.memberOfAttribute { groupsObject["member_of_attribute"] = value }
            object["groups"] = groupsObject
        }
        return object
    }
}
