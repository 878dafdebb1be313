import Crypto
import Foundation
import HeraldCore
import HeraldFederation
import Hummingbird

/// Admin API, wire-formats §9: federation peers (stored in the realm's `federation.peers`,
/// through the realm-file loader like every other change), their refresh status, and this
/// realm's own federation keys — the thumbprint a partner pins.
struct AdminFederationEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration
    let federation: FederationService

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/federation", use: show)
        routes.post("realms/:realm/federation/keys/rotate", use: rotate)
        routes.get("realms/:realm/federation/peers", use: list)
        routes.post("realms/:realm/federation/peers", use: add)
        routes.get("realms/:realm/federation/peers/:peer", use: showPeer)
        routes.delete("realms/:realm/federation/peers/:peer", use: remove)
        routes.post("realms/:realm/federation/peers/:peer/refresh", use: refresh)
        return routes
    }

    /// A peer's id in paths: `peer-` and 10 hex digits of SHA-256 of its entity URL.
    static func id(_ entity: String) -> String {
        "peer-" + SHA256.hash(data: Data(entity.utf8)).prefix(5).map { String(format: "%02x", $0) }.joined()
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        return try AdminJSON.response(ownKeys(realm))
    }

    @Sendable func rotate(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        guard let ring = federation.ring(realm: realm.name) else { throw OAuthError.notFound("no federation keys") }
        _ = try await federation.keys.rotate(realm: realm.name, ring: ring, actor: AdminActor.current)
        return try AdminJSON.response(ownKeys(realm))
    }

    private func ownKeys(_ realm: RealmRuntime) -> [String: Any] {
        let keys = federation.ring(realm: realm.name)?.published.keys ?? []
        let current = federation.ring(realm: realm.name)?.signer(for: .es256)?.kid
        return [
            "entity": realm.issuer,
            "entity_configuration": "\(realm.issuer)/.well-known/openid-federation",
            "bundle_endpoint": "\(realm.issuer)/federation/bundle",
            "pin": current ?? NSNull(),
            "federation_keys": keys.map { ["kid": $0.thumbprint, "state": $0.thumbprint == current ? "current" : "next"] },
            "peers": federation.peerRecords(realm: realm.name).map { Self.object($0.0, $0.1) },
        ]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        return try AdminJSON.response(["peers": federation.peerRecords(realm: realm.name).map { Self.object($0.0, $0.1) }])
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let body = try await AdminJSON.object(request)
        let name = try context.parameter("realm")
        let entity = try AdminJSON.string(body, "entity")!
        var peer: [String: Any] = ["entity": entity, "pin": try AdminJSON.string(body, "pin")!,
                                   "max_level": try AdminJSON.string(body, "max_level")!]
        for key in ["refresh", "max_staleness"] {
            if let value = try AdminJSON.string(body, key, required: false) { peer[key] = value }
        }
        federation.reserve(realm: name, entity: entity)
        do {
            try await admin.edit(name, event: "admin.federation.peer_added", detail: ["entity": entity]) { document in
                var section = document["federation"] as? [String: Any] ?? [:]
                var peers = section.objects("peers")
                if peers.contains(where: { $0["entity"] as? String == entity }) {
                    throw OAuthError(status: .conflict, code: "conflict", description: "\(entity) is already a peer")
                }
                peers.append(peer)
                section["peers"] = peers
                document["federation"] = section
            }
        } catch {
            federation.release(realm: name, entity: entity)
            throw error
        }
        await federation.refresh(realm: name, entity: entity)
        return try AdminJSON.response(try peerObject(name, Self.id(entity)), status: .created)
    }

    @Sendable func showPeer(_ request: Request, context: Context) async throws -> Response {
        try AdminJSON.response(try peerObject(context.parameter("realm"), context.parameter("peer")))
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let (peer, _) = try find(name, context.parameter("peer"))
        try await admin.edit(name, event: "admin.federation.peer_removed", detail: ["entity": peer.entity]) { document in
            var section = document["federation"] as? [String: Any] ?? [:]
            section["peers"] = section.objects("peers").filter { $0["entity"] as? String != peer.entity }
            document["federation"] = section
        }
        try await federation.forget(realm: name, entity: peer.entity)
        return Response(status: .noContent)
    }

    @Sendable func refresh(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let (peer, _) = try find(name, context.parameter("peer"))
        await federation.refresh(realm: name, entity: peer.entity)
        return try AdminJSON.response(try peerObject(name, Self.id(peer.entity)))
    }

    private func find(_ realm: String, _ raw: String) throws -> (FederationSettings.Peer, PeerRecord) {
        _ = try admin.runtime(realm)
        let id = raw.removingPercentEncoding ?? raw
        guard let found = federation.peerRecords(realm: realm).first(where: { Self.id($0.0.entity) == id || $0.0.entity == id })
        else { throw OAuthError.notFound("realm \(realm) has no federation peer \(id)") }
        return found
    }

    private func peerObject(_ realm: String, _ id: String) throws -> [String: Any] {
        let (peer, record) = try find(realm, id)
        return Self.object(peer, record)
    }

    static func object(_ peer: FederationSettings.Peer, _ record: PeerRecord) -> [String: Any] {
        let status = record.status
        let counts = record.view.countsByStatus
        return [
            "id": id(peer.entity), "entity": peer.entity, "pin": peer.pin, "max_level": peer.maxLevel.name,
            "refresh": peer.refreshSeconds.map { DurationText.format($0) } ?? NSNull(),
            "max_staleness": DurationText.format(peer.staleAfterSeconds),
            "status": status.state.rawValue, "code": status.code ?? NSNull(), "reason": status.reason ?? NSNull(),
            "failures": status.failures,
            "last_attempt": AdminJSON.date(status.lastAttempt), "last_success": AdminJSON.date(status.lastSuccess),
            "next_refresh": AdminJSON.date(status.nextRefresh),
            "sequence": record.view.sequence ?? NSNull(),
            "bundle_expires_at": AdminJSON.date(record.view.expiresAt),
            "agents": ["active": counts[.active] ?? 0, "suspended": counts[.suspended] ?? 0,
                       "revoked": counts[.revoked] ?? 0],
            "known_keys": Array(record.anchor.pins.union(record.anchor.announced.map(\.thumbprint))).sorted(),
        ]
    }
}
