import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServices
import Hummingbird

/// The MCPS trust-authority API that mcps-secure 1.0.0 calls (wire-formats §1, §4):
/// `GET {issuer}/api/ta/public-key` → `{"pem","jwk"}`, and `GET {issuer}/api/verify/{id}`,
/// which always answers 200 (mcps-secure reads any other status as "authority unreachable")
/// with the passport's status signed by the trust-authority key. A kill shows as REVOKED from
/// the next request on; a revive makes the passport VALID again.
struct MCPSTrustAuthorityEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let store: any LifecycleRepository
    let book: LifecycleBook
    let clock: any HeraldClock

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/api/ta/public-key", use: publicKey)
        routes.get("realms/:realm/api/verify/:passport", use: verify)
        return routes
    }

    @Sendable func publicKey(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let key = try PassportIssuer.trustAuthorityKey(realm).key.publicKey
        guard let pem = key.pemRepresentation else { throw OAuthError.notFound("no P-256 trust-authority key") }
        let jwk = try JSONDecoder().decode([String: OpaqueJSON].self, from: Data(key.json(includeMetadata: true).utf8))
        let body = try JSONBody.encode(TrustAuthorityPublicKey(pem: pem, jwk: jwk))
        return .json(body, headers: [.cacheControl: "public, max-age=\(realm.jwksMaxAge)"])
    }

    @Sendable func verify(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        // The id as the client wrote it (mcps-secure percent-encodes nothing, other clients may).
        let raw = try context.parameter("passport")
        let id = raw.removingPercentEncoding ?? raw
        let answer = try await status(of: id, in: realm)
        let body = try answer.signedBody(with: PassportIssuer.trustAuthorityKey(realm).key)
        return .json(body, headers: [.cacheControl: "no-store"])
    }

    func status(of id: String, in realm: RealmRuntime) async throws -> MCPSRevocationResponse {
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        guard MCPSPassport.isWellFormedID(id), let record = try await store.passport(realm: realm.name, id: id) else {
            return MCPSRevocationResponse(passportID: id, status: .unknown, reason: "no such passport", checkedAt: now)
        }
        let standing = book.standing(realm: realm.name, agentID: record.agentID, org: nil)
        if let kill = standing.record?.kill {
            return MCPSRevocationResponse(passportID: id, status: .revoked, reason: kill.reason, revokedAt: kill.at,
                                          trustLevel: record.trustLevel, checkedAt: now)
        }
        if let orgKill = standing.orgKill {
            return MCPSRevocationResponse(passportID: id, status: .revoked,
                                          reason: "organisation \(orgKill.org): \(orgKill.kill.reason)",
                                          revokedAt: orgKill.kill.at, trustLevel: record.trustLevel, checkedAt: now)
        }
        if let stage = standing.record?.stage, !stage.isServing {
            let gate = standing.record?.gates.last
            return MCPSRevocationResponse(passportID: id, status: .revoked,
                                          reason: "agent \(stage.rawValue)" + (gate?.reason.map { ": \($0)" } ?? ""),
                                          revokedAt: gate?.at, trustLevel: record.trustLevel, checkedAt: now)
        }
        if record.expiresAt <= now {
            return MCPSRevocationResponse(passportID: id, status: .expired, reason: "expired", trustLevel: record.trustLevel,
                                          checkedAt: now)
        }
        return MCPSRevocationResponse(passportID: id, status: .valid, trustLevel: record.trustLevel, checkedAt: now)
    }
}
