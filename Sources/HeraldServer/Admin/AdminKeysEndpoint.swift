import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: signing key slots (list, prepare, activate, retire, revoke).
struct AdminKeysEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/keys", use: list)
        routes.post("realms/:realm/keys", use: prepare)
        routes.post("realms/:realm/keys/:kid/:action", use: transition)
        return routes
    }

    static func object(_ key: StoredKey) -> AdminKey {
        AdminKey(kid: key.kid, alg: key.algorithm.rawValue, state: key.state.rawValue,
                 createdAt: AdminBody.date(key.createdAt), activateAt: AdminBody.date(key.activateAt),
                 activatedAt: AdminBody.date(key.activatedAt), retiredAt: AdminBody.date(key.retiredAt),
                 publishUntil: AdminBody.date(key.publishUntil))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        let keys = try await admin.keyManager.store.keys(realm: realm.name)
        return try AdminBody.response(AdminKeyList(keys: keys.map(Self.object)))
    }

    @Sendable func prepare(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        let body = try await AdminBody.decode(AdminKeyPrepareRequest.self, request, optional: true)
        let name = body.alg ?? realm.config.signingAlgorithm.rawValue
        guard let algorithm = SigningAlgorithm(rawValue: name), realm.config.algorithms.contains(algorithm) else {
            throw OAuthError.invalidRequest("realm \(realm.name) uses \(realm.config.algorithms.map(\.rawValue).joined(separator: ", ")), not \(name)")
        }
        let before = Set(try await admin.keyManager.store.keys(realm: realm.name).map(\.kid))
        try await change(realm, type: "admin.key.prepared") { schedule, keys, now in
            try schedule.rotate(&keys, algorithm: algorithm, immediately: false, now: now)
        }
        let keys = try await admin.keyManager.store.keys(realm: realm.name)
        guard let prepared = keys.first(where: { !before.contains($0.kid) })
            ?? keys.last(where: { $0.state == .prepared && $0.algorithm == algorithm })
        else {
            // Unreachable: the schedule prepares a key or keeps the one prepared.
            throw OAuthError(status: .internalServerError, code: "server_error",
                             description: "no prepared \(algorithm.rawValue) key after preparing one")
        }
        return try AdminBody.response(Self.object(prepared), status: .created)
    }

    @Sendable func transition(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        let kid = try context.parameter("kid"), action = try context.parameter("action")
        let operation: @Sendable (KeySchedule, inout [StoredKey], Date) throws -> [KeyEvent]
        switch action {
        case "activate": operation = { schedule, keys, now in try schedule.activate(&keys, kid: kid, now: now) }
        case "retire": operation = { schedule, keys, now in try schedule.retire(&keys, kid: kid, now: now) }
        case "revoke": operation = { schedule, keys, now in try schedule.revoke(&keys, kid: kid, now: now) }
        default: throw OAuthError.notFound("unknown key action \(action); use activate, retire or revoke")
        }
        try await change(realm, type: "admin.key.\(action)", detail: ["kid": kid], operation)
        guard let key = try await admin.keyManager.store.keys(realm: realm.name).first(where: { $0.kid == kid }) else {
            throw OAuthError.notFound("realm \(realm.name) has no key \(kid)")
        }
        return try AdminBody.response(Self.object(key))
    }

    private func change(_ realm: RealmRuntime, type: String, detail: [String: String] = [:],
                        _ operation: @escaping @Sendable (KeySchedule, inout [StoredKey], Date) throws -> [KeyEvent])
        async throws
    {
        do { try await admin.keyManager.change(realm.config, ring: realm.keyRing, operation) } catch let error as HeraldError {
            switch error.code {
            case .notFound: throw OAuthError.notFound(error.message)
            case .conflict: throw OAuthError(status: .conflict, code: "conflict", description: error.message)
            default: throw error
            }
        }
        try await admin.recordKeyChange(realm: realm.name, type: type, detail: detail)
    }
}
