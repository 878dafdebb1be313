import Crypto
import Foundation
import HeraldAPI
import HeraldCore
import HeraldFederation
import HeraldServices
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
        return try AdminBody.response(ownKeys(realm))
    }

    @Sendable func rotate(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        guard let ring = federation.ring(realm: realm.name) else { throw OAuthError.notFound("no federation keys") }
        _ = try await federation.keys.rotate(realm: realm.name, ring: ring, actor: AdminActor.current)
        return try AdminBody.response(ownKeys(realm))
    }

    private func ownKeys(_ realm: RealmRuntime) -> AdminFederation {
        let keys = federation.ring(realm: realm.name)?.published.keys ?? []
        let current = federation.ring(realm: realm.name)?.signer(for: .es256)?.kid
        return AdminFederation(
            entity: realm.issuer, entityConfiguration: "\(realm.issuer)/.well-known/openid-federation",
            bundleEndpoint: "\(realm.issuer)/federation/bundle", pin: current,
            federationKeys: keys.map { .init(kid: $0.thumbprint, state: $0.thumbprint == current ? "current" : "next") },
            peers: federation.peerRecords(realm: realm.name).map { Self.object($0.0, $0.1) })
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm"))
        return try AdminBody.response(AdminPeerList(peers: federation.peerRecords(realm: realm.name).map { Self.object($0.0, $0.1) }))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let peer = try await AdminBody.decode(AdminPeerEntry.self, request)
        let name = try context.parameter("realm")
        let entity = peer.entity
        federation.reserve(realm: name, entity: entity)
        do {
            try await admin.edit(name, event: "admin.federation.peer_added", detail: ["entity": entity]) { form in
                var peers = form.peers ?? []
                if peers.contains(where: { $0.entity == entity }) {
                    throw OAuthError(status: .conflict, code: "conflict", description: "\(entity) is already a peer")
                }
                peers.append(peer)
                form.peers = peers
            }
        } catch {
            federation.release(realm: name, entity: entity)
            throw error
        }
        await federation.refresh(realm: name, entity: entity)
        return try AdminBody.response(try peerObject(name, Self.id(entity)), status: .created)
    }

    @Sendable func showPeer(_ request: Request, context: Context) async throws -> Response {
        try AdminBody.response(try peerObject(context.parameter("realm"), context.parameter("peer")))
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let (peer, _) = try find(name, context.parameter("peer"))
        try await admin.edit(name, event: "admin.federation.peer_removed", detail: ["entity": peer.entity]) { form in
            form.peers = (form.peers ?? []).filter { $0.entity != peer.entity }
        }
        try await federation.forget(realm: name, entity: peer.entity)
        return Response(status: .noContent)
    }

    @Sendable func refresh(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameter("realm")
        let (peer, _) = try find(name, context.parameter("peer"))
        await federation.refresh(realm: name, entity: peer.entity)
        return try AdminBody.response(try peerObject(name, Self.id(peer.entity)))
    }

    private func find(_ realm: String, _ raw: String) throws -> (FederationSettings.Peer, PeerRecord) {
        _ = try admin.runtime(realm)
        let id = raw.removingPercentEncoding ?? raw
        guard let found = federation.peerRecords(realm: realm).first(where: { Self.id($0.0.entity) == id || $0.0.entity == id })
        else { throw OAuthError.notFound("realm \(realm) has no federation peer \(id)") }
        return found
    }

    private func peerObject(_ realm: String, _ id: String) throws -> AdminPeer {
        let (peer, record) = try find(realm, id)
        return Self.object(peer, record)
    }

    static func object(_ peer: FederationSettings.Peer, _ record: PeerRecord) -> AdminPeer {
        let status = record.status
        let counts = record.view.countsByStatus
        return AdminPeer(
            id: id(peer.entity), entity: peer.entity, pin: peer.pin, maxLevel: peer.maxLevel.name,
            refresh: peer.refreshSeconds.map { DurationText.format($0) },
            maxStaleness: DurationText.format(peer.staleAfterSeconds),
            status: status.state.rawValue, code: status.code, reason: status.reason, failures: status.failures,
            lastAttempt: AdminBody.date(status.lastAttempt), lastSuccess: AdminBody.date(status.lastSuccess),
            nextRefresh: AdminBody.date(status.nextRefresh), sequence: record.view.sequence,
            bundleExpiresAt: AdminBody.date(record.view.expiresAt),
            agents: .init(active: counts[.active] ?? 0, suspended: counts[.suspended] ?? 0, revoked: counts[.revoked] ?? 0),
            knownKeys: Array(record.anchor.pins.union(record.anchor.announced.map(\.thumbprint))).sorted())
    }
}
