import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import Hummingbird
import Synchronization

/// The realm's Token Status List, wire-formats §8 / draft-ietf-oauth-status-list
/// (`GET {issuer}/statuslists/1`, `application/statuslist+jwt`).
///
/// One entry per agent (its `status_index`), which its tokens and passports carry: 0 VALID,
/// 1 INVALID (REVOKED), 2 SUSPENDED (kill switch, organisation kill, SUSPENDED stage). The
/// signed list is cached per lifecycle version, so a kill shows on the very next fetch.
struct StatusListEndpoint<Context: RequestContext>: Sendable {
    /// How long relying parties may cache the list (`ttl`), and how long it is valid (`exp`).
    static var timeToLive: Int { 30 }
    static var lifetime: Int { 86400 }
    /// Smallest list published, so the list's length says little about how many agents exist.
    static var minimumEntries: Int { 4096 }

    let registry: RealmRegistry
    let book: LifecycleBook
    let clock: any HeraldClock
    let cache = StatusListCache()

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/statuslists/:list", use: statusList)
        return routes
    }

    @Sendable func statusList(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        guard try context.parameter("list") == "1" else { throw OAuthError.notFound("realm \(realm.name) has status list 1 only") }
        let current = book.book(realm: realm.name)
        let kid = realm.keyRing.signer(for: realm.config.signingAlgorithm)?.kid
        let now = Int64(clock.now().timeIntervalSince1970)
        if let cached = cache.get(realm: realm.name, version: current.version, kid: kid,
                                  notBefore: now - Int64(Self.timeToLive)) {
            return Self.response(cached)
        }
        guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else {
            throw OAuthError.temporarilyUnavailable("the realm has no active signing key; retry shortly")
        }
        let list = Self.list(current.state)
        let claims = StatusListClaims(issuer: realm.issuer, subject: realm.statusListURI, issuedAt: now,
                                      expiresAt: now + Int64(Self.lifetime), timeToLive: Self.timeToLive, list: list)
        let token = try claims.signed(by: signer)
        cache.put(realm: realm.name, version: current.version, kid: signer.kid, issuedAt: now, token: token)
        return Self.response(token)
    }

    /// The list for a realm's lifecycle state.
    static func list(_ state: RealmLifecycleState) -> StatusList {
        let highest = state.agents.values.map(\.statusIndex).max() ?? -1
        var list = StatusList(bits: 2, capacity: max(minimumEntries, highest + 1))
        for record in state.agents.values where record.statusIndex >= 0 {
            let orgKilled = record.org.map { state.orgKills[$0] != nil } ?? false
            if record.stage == .revoked {
                list.set(.invalid, at: record.statusIndex)
            } else if record.kill != nil || orgKilled || record.stage == .suspended {
                list.set(.suspended, at: record.statusIndex)
            }
        }
        return list
    }

    static func response(_ token: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "application/statuslist+jwt", .cacheControl: "max-age=\(timeToLive)"],
                 body: .init(byteBuffer: ByteBuffer(string: token)))
    }
}

/// The last signed list per realm, reused while the lifecycle version and signing key match
/// and it is younger than its `ttl`.
final class StatusListCache: Sendable {
    private struct Entry { let version: Int; let kid: String; let issuedAt: Int64; let token: String }
    private let entries = Mutex<[String: Entry]>([:])

    func get(realm: String, version: Int, kid: String?, notBefore: Int64) -> String? {
        entries.withLock { entries in
            guard let entry = entries[realm], entry.version == version, entry.kid == kid, entry.issuedAt > notBefore
            else { return nil }
            return entry.token
        }
    }

    func put(realm: String, version: Int, kid: String, issuedAt: Int64, token: String) {
        entries.withLock { $0[realm] = Entry(version: version, kid: kid, issuedAt: issuedAt, token: token) }
    }
}
