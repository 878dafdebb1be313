import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Outcome reports (`POST {issuer}/agents/{id}/events`): a registered client says how an
/// agent's action turned out, `{"outcome": "success"|"failure"|"anomaly", "reference": …}`.
/// Reports feed the execution-history component of the trust score. An agent cannot report
/// on itself.
struct AgentEventsEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    let registry: RealmRegistry
    let callers: CallerAuthenticator
    let lifecycle: LifecycleService

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/agents/:agent/events", use: report)
        return routes
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let caller = try await callers.authenticate(request, realm: realm, peer: context.remoteAddress)
        try callers.clients.limiter.takeReport(realm: realm.name, settings: realm.bruteForce, caller: caller.clientID)
        let id = try context.parameter("agent")
        let body = try await JSONBody.decode(AgentEventRequest.self, from: request)
        let (kind, reference) = (body.outcome, body.reference)
        guard caller.agentID != id else {
            throw OAuthError(status: .forbidden, code: "access_denied", description: "an agent cannot report on itself")
        }
        guard let principal = try await realm.principal(id: id) else {
            throw OAuthError.notFound("realm \(realm.name) has no agent \(id)")
        }
        let record = try await AdminActor.$current.withValue(caller.clientID) {
            try await lifecycle.recordOutcome(principal, in: realm, kind: kind, reference: reference,
                                              reporter: caller.clientID)
        }
        let score = TrustScore(agent: record, now: lifecycle.clock.now())
        return try JSONBody.response(AgentEventResponse(agentID: id, outcome: kind.rawValue, reference: reference,
                                                        trustScore: score.value), status: .accepted)
    }
}
