import HeraldCore

extension AdminAgent {
    /// The static-directory entry of `principal`, as the realm-file export writes it
    /// (`roles` and `groups` always, even empty).
    package init(_ principal: Principal) {
        self.init(id: principal.id, name: principal.name, org: principal.org, roles: principal.roles,
                  groups: principal.groups, codeHash: principal.codeHash)
    }
}
