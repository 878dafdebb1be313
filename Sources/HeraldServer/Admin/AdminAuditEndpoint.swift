import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: audit entries by time range, type, agent and client, paged
/// by sequence number (`after`, `next_after`).
struct AdminAuditEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/audit", use: query)
        return routes
    }

    @Sendable func query(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm")).name
        guard let audit = admin.audit else {
            throw OAuthError(status: .notFound, code: "not_found", description: "the audit log is off on this server")
        }
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        func date(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = ISO8601DateFormatter().date(from: value) ?? fractional.date(from: value) else {
                throw OAuthError.invalidRequest("\(name) must be an RFC 3339 time such as 2026-11-23T10:00:00Z")
            }
            return date
        }
        func number(_ name: String) throws -> Int? {
            guard let value = text(name) else { return nil }
            guard let number = Int(value), number >= 0 else { throw OAuthError.invalidRequest("\(name) must be a whole number") }
            return number
        }
        let limit = min(max(try number("limit") ?? 100, 1), 1000)
        let entries = try await audit.entries(AuditQuery(
            realm: realm, from: try date("from"), to: try date("to"), type: text("type"), agent: text("agent"),
            client: text("client"), after: try number("after").map(Int64.init), limit: limit))
        let objects = entries.map { entry in
            let event = entry.event
            return AdminAuditPage.Entry(seq: entry.sequence, time: AdminBody.date(event.time), type: event.type,
                                        actor: event.actor, agent: event.agent, client: event.client, reason: event.reason,
                                        detail: event.detail, prevHash: entry.previousHash, hash: entry.hash)
        }
        let next = entries.count == limit ? (entries.last?.sequence ?? 0) : nil
        return try AdminBody.response(AdminAuditPage(entries: objects, nextAfter: next))
    }
}
