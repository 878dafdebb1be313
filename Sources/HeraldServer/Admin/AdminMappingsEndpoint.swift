import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: group → role mappings.
struct AdminMappingsEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/role-mappings", use: list)
        routes.post("realms/:realm/role-mappings", use: add)
        routes.delete("realms/:realm/role-mappings/:id", use: remove)
        return routes
    }

    static func object(_ mapping: RoleMapping) -> AdminRoleMapping {
        AdminRoleMapping(id: mapping.id ?? "", group: mapping.group, role: mapping.role)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let mappings = try admin.runtime(context.parameter("realm")).config.roleMappings
        return try AdminBody.response(AdminRoleMappingList(roleMappings: mappings.map(Self.object)))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let body = try await AdminBody.decode(AdminRoleMappingRequest.self, request)
        let group = body.group, role = body.role
        let realm = try context.parameter("realm")
        let existing = try admin.runtime(realm).config.roleMappings
        let next = (existing.compactMap { $0.id.flatMap { Int($0.dropFirst(3)) } }.max() ?? 0) + 1
        let id = "rm-\(next)"
        let mapping = AdminRoleMapping(id: id, group: group, role: role)
        try await admin.edit(realm, event: "admin.mapping.added", detail: ["id": id, "group": group, "role": role]) { form in
            form.roleMappings.append(mapping)
        }
        return try AdminBody.response(mapping, status: .created)
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let realm = try context.parameter("realm"), id = try context.parameter("id")
        // The group and role too: an id is only a position in a realm file, and `herald realm
        // apply` needs to know which mapping an admin removed.
        var detail = ["id": id]
        if let mapping = try admin.runtime(realm).config.roleMappings.first(where: { $0.id == id }) {
            detail["group"] = mapping.group
            detail["role"] = mapping.role
        }
        try await admin.edit(realm, event: "admin.mapping.removed", detail: detail) { form in
            guard form.roleMappings.contains(where: { $0.id == id }) else {
                throw OAuthError.notFound("realm \(realm) has no role mapping \(id)")
            }
            form.roleMappings.removeAll { $0.id == id }
        }
        return Response(status: .noContent)
    }
}
