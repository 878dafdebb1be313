import Foundation
import HeraldAPI
import HeraldCore
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

    static func object(_ agent: Principal, in config: RealmConfig) -> [String: Any] {
        var object = RealmDocument.agentObject(agent)
        let roles = RoleMapper(mappings: config.roleMappings).effectiveRoles(of: agent)
        object["trust_level"] = RoleMapper.level(of: roles).name
        object["effective_roles"] = roles
        return object
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let config = try admin.runtime(context.parameter("realm")).config
        return try AdminJSON.response(["agents": config.agents.map { Self.object($0, in: config) }])
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let config = try admin.runtime(context.parameter("realm")).config
        return try AdminJSON.response(Self.object(try agent(context, config), in: config))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await AdminJSON.object(request)
        let realm = try context.parameter("realm")
        try Self.refuseLDAP(admin.runtime(realm).config)
        let id = try AdminJSON.string(body, "id")!
        let loaded = try await admin.edit(realm, event: "admin.agent.created", detail: ["agent": id]) { document in
            var agents = Self.agents(document)
            if agents.contains(where: { $0["id"] as? String == id }) {
                throw OAuthError(status: .conflict, code: "conflict", description: "agent \(id) already exists")
            }
            agents.append(Self.stripComputed(body))
            document["directory"] = ["static": ["agents": agents]]
        }
        let agent = loaded.config.agents.first { $0.id == id }!
        return try AdminJSON.response(Self.object(agent, in: loaded.config), status: .created)
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        var body = try await AdminJSON.object(request)
        let realm = try context.parameter("realm"), id = try context.parameter("agent")
        try Self.refuseLDAP(admin.runtime(realm).config)
        _ = try agent(context, admin.runtime(realm).config)
        if let named = body["id"], named as? String != id { throw OAuthError.invalidRequest("an agent's id cannot change") }
        body["id"] = id
        let replacement = Self.stripComputed(body)
        let loaded = try await admin.edit(realm, event: "admin.agent.updated", detail: ["agent": id]) { document in
            document["directory"] = ["static": ["agents": Self.agents(document).map { $0["id"] as? String == id ? replacement : $0 }]]
        }
        return try AdminJSON.response(Self.object(loaded.config.agents.first { $0.id == id }!, in: loaded.config))
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
        try await admin.edit(realm, event: "admin.agent.removed", detail: ["agent": id]) { document in
            document["directory"] = ["static": ["agents": Self.agents(document).filter { $0["id"] as? String != id }]]
        }
        return Response(status: .noContent)
    }

    /// An LDAP realm's agents live in the directory: editing them here would replace it.
    static func refuseLDAP(_ config: RealmConfig) throws {
        guard config.ldap != nil else { return }
        throw OAuthError(status: .conflict, code: "conflict",
                         description: "realm \(config.name) reads its agents from LDAP (directory.ldap); change them in the directory")
    }

    static func agents(_ document: [String: Any]) -> [[String: Any]] {
        ((document["directory"] as? [String: Any])?["static"] as? [String: Any])?["agents"] as? [[String: Any]] ?? []
    }

    /// Members the API reports but a realm file does not hold.
    static func stripComputed(_ object: [String: Any]) -> [String: Any] {
        object.filter { $0.key != "trust_level" && $0.key != "effective_roles" }
    }

    private func agent(_ context: Context, _ config: RealmConfig) throws -> Principal {
        let id = try context.parameter("agent")
        guard let agent = config.agents.first(where: { $0.id == id }) else {
            throw OAuthError.notFound("realm \(config.name) has no agent \(id)")
        }
        return agent
    }
}
