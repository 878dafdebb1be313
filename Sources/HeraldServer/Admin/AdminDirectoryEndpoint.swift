import Foundation
import HeraldAPI
import HeraldCore
import HeraldDirectory
import HeraldServices
import Hummingbird

/// Admin API for a realm's LDAP directory (`herald directory test|sync`):
///
/// - `GET /admin/realms/{r}/directory/agents/{id}`: looks the agent up afresh and says why it
///   gets its level: the service bind, the entry's DN, whether `disabled_filter` matches, its
///   groups with the path through nested groups, the role mappings that matched, the roles,
///   and the resulting `mcps` claim (before `trust_policy` caps).
/// - `POST /admin/realms/{r}/directory/sync`: a full read of agents and groups now.
///
/// Directory diagnostics are shown: the caller is an operator. A realm without
/// `directory.ldap` is 404; an unreachable server is 503 `temporarily_unavailable`.
struct AdminDirectoryEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration
    let directories: DirectoryProvider

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/directory/agents/:agent", use: explain)
        routes.post("realms/:realm/directory/sync", use: sync)
        return routes
    }

    @Sendable func explain(_ request: Request, context: Context) async throws -> Response {
        let (runtime, directory) = try ldap(context)
        let id = try context.parameter("agent")
        let explanation: LDAPExplanation
        do { explanation = try await directory.explain(id: id) } catch { throw Self.unavailable(error) }
        let settings = directory.settings
        var object = AdminDirectoryExplanation(
            realm: runtime.name, agent: id,
            directory: .init(url: settings.url, mode: settings.mode.rawValue, vendor: settings.vendor.rawValue),
            bind: .init(dn: explanation.bindDN ?? "(anonymous)", result: "success"),
            entries: explanation.entries, found: explanation.entries == 1, disabled: explanation.disabled,
            roundTrips: explanation.roundTrips,
            token: explanation.entries > 1 ? "denied: the id matches several entries" : "denied: no such agent",
            dn: explanation.dn)
        guard let agent = explanation.agent else { return try AdminBody.response(object) }
        let principal = agent.principal
        let mapper = RoleMapper(mappings: runtime.config.roleMappings)
        let roles = mapper.effectiveRoles(of: principal)
        let level = RoleMapper.level(of: roles)
        let groupKeys = Set(principal.groups.map(LDAPDN.normalize))
        object.groups = agent.memberships.map { .init(dn: $0.dn, name: $0.name, path: $0.path) }
        object.directoryRoles = principal.roles
        object.mapped = runtime.config.roleMappings.filter { groupKeys.contains(LDAPDN.normalize($0.group)) }
            .map { AdminRoleMapping(id: nil, group: $0.group, role: $0.role) }
        object.roles = roles
        object.trustLevel = level.name
        let claim = runtime.levelTable.claim(for: level)
        object.mcps = .init(trustLevel: claim.trustLevel.rawValue, trustLabel: claim.trustLabel,
                            paymentEnabled: claim.paymentEnabled, txLimit: claim.txLimit, dayLimit: claim.dayLimit,
                            scopes: claim.scopes.joined(separator: ","))
        var attributes: [String: String] = [:]
        if let name = principal.name { attributes["name"] = name }
        if let org = principal.org { attributes["org"] = org }
        if let codeHash = principal.codeHash { attributes["code_hash"] = codeHash }
        object.attributes = attributes
        object.token = explanation.disabled ? "denied: disabled_filter matches" : "issued"
        return try AdminBody.response(object)
    }

    @Sendable func sync(_ request: Request, context: Context) async throws -> Response {
        let (runtime, directory) = try ldap(context)
        let report: LDAPSyncReport
        do { report = try await directory.sync() } catch { throw Self.unavailable(error) }
        if directory.settings.mode == .live { directory.invalidate() }
        try await admin.recordKeyChange(realm: runtime.name, type: "admin.directory.synced",
                                        detail: ["agents": "\(report.agents)", "groups": "\(report.groups)"])
        return try AdminBody.response(AdminDirectorySync(
            realm: runtime.name, mode: directory.settings.mode.rawValue, agents: report.agents, groups: report.groups,
            roundTrips: report.roundTrips, seconds: (report.seconds * 1000).rounded() / 1000))
    }

    private func ldap(_ context: Context) throws -> (RealmRuntime, LDAPDirectory) {
        let runtime = try admin.runtime(context.parameter("realm"))
        guard let directory = runtime.ldapDirectory ?? directories.ldapDirectory(realm: runtime.name) else {
            throw OAuthError.notFound("realm \(runtime.name) has no LDAP directory (directory.ldap)")
        }
        return (runtime, directory)
    }

    private static func unavailable(_ error: any Error) -> OAuthError {
        let message = (error as? HeraldError)?.message ?? "\(error)"
        return .temporarilyUnavailable("the LDAP directory did not answer: \(message)")
    }
}
