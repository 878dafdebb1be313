import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: realm list, export (`GET`) and import (`PUT`) in the
/// realm-file form, YAML or JSON; the level table.
struct AdminRealmsEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms", use: list)
        routes.get("realms/:realm", use: export)
        routes.put("realms/:realm", use: importRealm)
        routes.get("realms/:realm/levels", use: levels)
        routes.put("realms/:realm/levels", use: setLevels)
        return routes
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try AdminBody.response(AdminRealmList(realms: admin.registry.all.map(\.name)))
    }

    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        let config = try admin.runtime(context.parameter("realm")).config
        if request.headers[.accept]?.contains("yaml") == true {
            return Response(status: .ok, headers: [.contentType: "application/yaml", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: try RealmDocument.yaml(config))))
        }
        return .json(try RealmDocument.json(config), headers: [.cacheControl: "no-store"])
    }

    @Sendable func importRealm(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let text = String(decoding: try await AdminBody.data(request), as: UTF8.self)
        let loaded = try RealmAdministration.load(text: text)
        guard loaded.config.name == name else {
            throw OAuthError.invalidRequest("the body declares realm \(loaded.config.name) but the path names \(name)")
        }
        try await admin.replace(with: loaded, basedOn: admin.registry.runtime(named: name)?.config,
                                event: "admin.realm.imported")
        return try AdminBody.response(AdminRealmImported(realm: name))
    }

    @Sendable func levels(_ request: Request, context: Context) async throws -> Response {
        try AdminBody.response(Self.table(try admin.runtime(context.parameter("realm")).levelTable))
    }

    /// Overrides cells of the level table: `{"L2": {"tx_limit": 200}}`.
    @Sendable func setLevels(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let patch = try await AdminBody.decode(AdminLevelPatch.self, request).levels
        let loaded = try await admin.edit(name, event: "admin.levels.changed",
                                          detail: ["levels": patch.keys.sorted().joined(separator: ",")]) { form in
            for (level, cells) in patch {
                form.levels[level] = cells.merged(over: form.levels[level] ?? AdminLevelCells())
            }
        }
        return try AdminBody.response(Self.table(loaded.config.levelTable))
    }

    static func table(_ table: LevelTable) -> AdminLevelTable {
        Dictionary(uniqueKeysWithValues: TrustLevel.allCases.map { level in
            let row = table[level]
            return (level.name, AdminLevelRow(label: row.label, paymentEnabled: row.paymentEnabled, txLimit: row.txLimit,
                                              dayLimit: row.dayLimit, scopes: row.scopes, earnedAtScore: row.earnedAtScore))
        })
    }
}
