import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: the static directory's agents, with their resulting level.
struct AdminAgentsEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/agents", use: list)
        routes.post("realms/:realm/agents", use: create)
        routes.get("realms/:realm/agents/:agent", use: show)
        routes.put("realms/:realm/agents/:agent", use: update)
        routes.delete("realms/:realm/agents/:agent", use: remove)
        return routes
    }

    static func object(_ agent: Principal, in config: RealmConfig) -> AdminAgentView {
        let roles = RoleMapper(mappings: config.roleMappings).effectiveRoles(of: agent)
        return AdminAgentView(agent: AdminAgent(agent), trustLevel: RoleMapper.level(of: roles).name, effectiveRoles: roles)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let config = try admin.runtime(context.parameter("realm")).config
        return try AdminBody.response(AdminAgentList(agents: config.agents.map { Self.object($0, in: config) }))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let config = try admin.runtime(context.parameter("realm")).config
        return try AdminBody.response(Self.object(try agent(context, config), in: config))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let members = try await AdminBody.members(request)
        let realm = try context.parameter("realm")
        try Self.refuseLDAP(admin.runtime(realm).config)
        guard let id = members["id"]?.string, !id.isEmpty else { throw OAuthError.invalidRequest("id must be a non-empty string") }
        let created = try AdminBody.decode(AdminAgent.self, from: members)
        let loaded = try await admin.edit(realm, event: "admin.agent.created", detail: ["agent": id]) { form in
            var agents = form.agents ?? []
            if agents.contains(where: { $0.id == id }) {
                throw OAuthError(status: .conflict, code: "conflict", description: "agent \(id) already exists")
            }
            agents.append(created)
            form.agents = agents
        }
        return try AdminBody.response(try Self.object(id, in: loaded.config), status: .created)
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let members = try await AdminBody.members(request)
        let realm = try context.parameter("realm"), id = try context.parameter("agent")
        try Self.refuseLDAP(admin.runtime(realm).config)
        _ = try agent(context, admin.runtime(realm).config)
        if let named = members["id"], named.string != id { throw OAuthError.invalidRequest("an agent's id cannot change") }
        var replacement = try AdminBody.decode(AdminAgent.self, from: members)
        replacement.id = id
        let loaded = try await admin.edit(realm, event: "admin.agent.updated", detail: ["agent": id]) { [replacement] form in
            form.agents = (form.agents ?? []).map { $0.id == id ? replacement : $0 }
        }
        return try AdminBody.response(try Self.object(id, in: loaded.config))
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let realm = try context.parameter("realm")
        let config = try admin.runtime(realm).config
        let id = try agent(context, config).id
        let clients = config.clients.filter { $0.subject == id }.map(\.clientID)
        guard clients.isEmpty else {
            throw OAuthError(status: .conflict, code: "conflict",
                             description: "agent \(id) is the subject of client(s) \(clients.joined(separator: ", ")); remove them first")
        }
        try await admin.edit(realm, event: "admin.agent.removed", detail: ["agent": id]) { form in
            form.agents = (form.agents ?? []).filter { $0.id != id }
        }
        return Response(status: .noContent)
    }

    /// An LDAP realm's agents live in the directory: editing them here would replace it.
    static func refuseLDAP(_ config: RealmConfig) throws {
        guard config.ldap != nil else { return }
        throw OAuthError(status: .conflict, code: "conflict",
                         description: "realm \(config.name) reads its agents from LDAP (directory.ldap); change them in the directory")
    }

    /// The agent object of `id` in a realm just stored with it.
    private static func object(_ id: String, in config: RealmConfig) throws -> AdminAgentView {
        guard let agent = config.agents.first(where: { $0.id == id }) else {
            throw OAuthError.notFound("realm \(config.name) has no agent \(id)")
        }
        return object(agent, in: config)
    }

    private func agent(_ context: Context, _ config: RealmConfig) throws -> Principal {
        let id = try context.parameter("agent")
        guard let agent = config.agents.first(where: { $0.id == id }) else {
            throw OAuthError.notFound("realm \(config.name) has no agent \(id)")
        }
        return agent
    }
}
