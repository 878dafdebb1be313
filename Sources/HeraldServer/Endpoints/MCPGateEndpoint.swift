import Foundation
import HeraldCore
import HeraldJOSE
import Hummingbird
import Logging

/// The MCP trust gate, wire-formats §6 (`POST {issuer}/mcp/verify`): may this agent call
/// this tool of this MCP server now? The caller is a registered client of the realm (an MCP
/// server or its proxy). The answer is always 200 with ALLOW or DENY, the checks that passed
/// and failed, and a reason; every decision is audited.
struct MCPGateEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    let registry: RealmRegistry
    let callers: CallerAuthenticator
    let tokens: AccessTokenVerifier
    let federation: FederationService
    let passports: PassportChecker
    let lifecycle: LifecycleService
    let audit: (any AuditLog)?
    let logger: Logger
    /// `herald_gate_decisions_total`; nil in tests that build the endpoint alone.
    var metrics: HeraldMetrics? = nil

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/mcp/verify", use: verify)
        return routes
    }

    @Sendable func verify(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let caller = try await callers.authenticate(request, realm: realm, peer: context.remoteAddress)
        let body = try await AdminJSON.objectWithUniqueMembers(request)
        let server = try AdminJSON.string(body, "mcp_server_id")!, tool = try AdminJSON.string(body, "tool_name")!
        let presented = ["agent_id", "token", "passport"].filter { body[$0] != nil }
        guard presented.count == 1 else {
            throw OAuthError.invalidRequest("send exactly one of agent_id, token or passport")
        }
        // A member of the wrong type is a malformed request (400), not an identity that was
        // checked and failed (an audited DENY).
        switch presented[0] {
        case "agent_id": _ = try AdminJSON.string(body, "agent_id")
        case "token" where !(body["token"] is String): throw OAuthError.invalidRequest("token must be a string")
        case "passport" where !(body["passport"] is String || body["passport"] is [String: Any]):
            throw OAuthError.invalidRequest("passport must be a JWT string or an MCPS passport object")
        default: break
        }
        var gate = Decision(tool: "\(server)/\(tool)")
        if let foreign = foreignAgent(body, presented[0], in: realm) {
            judge(foreign, in: realm, gate: &gate)
        } else if let agentID = await identify(body, presented[0], in: realm, gate: &gate) {
            await judge(agentID, in: realm, gate: &gate)
        }
        let answer = gate.answer
        do {
            try await audit?.record(AuditEvent(
                type: "mcp.decision", realm: realm.name, time: lifecycle.clock.now(), actor: caller.clientID,
                agent: gate.agentID, client: caller.clientID, reason: gate.reason,
                detail: ["decision": answer, "tool": gate.tool, "level": gate.level?.name ?? "",
                         "federated_from": gate.federatedFrom ?? "", "idp": gate.idp ?? "",
                         "on_behalf_of": gate.onBehalfOf ?? "",
                         "failed": gate.failed.joined(separator: ",")]))
        } catch {
            throw OAuthError(status: .serviceUnavailable, code: "temporarily_unavailable",
                             description: "the decision could not be recorded; retry shortly", reason: "audit: \(error)")
        }
        metrics?.gateDecision(answer, tool: Self.toolLabel(gate.tool, in: realm.config))
        return try AdminJSON.response([
            "decision": answer, "agent_id": gate.agentID as Any? ?? NSNull(), "trust_level": gate.level?.rawValue as Any? ?? NSNull(),
            "trust_score": gate.score as Any? ?? NSNull(), "checks_passed": gate.passed, "checks_failed": gate.failed,
            "reason": gate.reason, "federated_from": gate.federatedFrom as Any? ?? NSNull(),
            "idp": gate.idp as Any? ?? NSNull(), "on_behalf_of": gate.onBehalfOf as Any? ?? NSNull(),
        ])
    }

    /// The agent the request is about, or nil with the identity check failed.
    private func identify(_ body: [String: Any], _ kind: String, in realm: RealmRuntime, gate: inout Decision) async
        -> String?
    {
        switch kind {
        case "agent_id":
            guard let id = body["agent_id"] as? String, !id.isEmpty else { return gate.fail("identity", "agent_id must be a string") }
            return id
        case "token":
            guard let token = body["token"] as? String else { return gate.fail("identity", "token must be a string") }
            let verified: AccessTokenVerifier.Verified
            do { verified = try tokens.verify(token, in: realm, forHerald: false) } catch {
                return gate.fail("identity", "token: \(error.description)")
            }
            if let jti = verified.claims.jti, lifecycle.book.isRevoked(realm: realm.name, jti: jti) {
                return gate.fail("identity", "token: revoked")
            }
            gate.stoppedActor = lifecycle.book.stoppedActor(of: verified.claims, realm: realm.name)
            if let idp = verified.claims.idp { return delegatedAgent(verified, idp: idp, in: realm, gate: &gate) }
            return verified.claims.sub
        default:
            switch await passports.check(body["passport"] as Any, in: realm) {
            case .success(let agentID): return agentID
            case .failure(let error): return gate.fail("identity", "passport: \(error.description)")
            }
        }
    }

    /// The agent an upstream user's token is delegated to: its current actor, an agent of
    /// this realm. The user's `sub` is never looked up as an agent; the answer names the user
    /// and the IdP, and the level is at most the one the token carries.
    private func delegatedAgent(_ verified: AccessTokenVerifier.Verified, idp: String, in realm: RealmRuntime,
                                gate: inout Decision) -> String? {
        gate.idp = idp
        gate.onBehalfOf = verified.claims.sub
        guard UpstreamTokenVerifier.idp(issuer: idp, in: realm) != nil else {
            return gate.fail("identity", "token: exchanged for a user of upstream IdP \(idp), which is no longer in the "
                             + "realm's upstream_idps")
        }
        guard let actor = verified.claims.act?.sub else {
            return gate.fail("identity", "token: exchanged for a user of upstream IdP \(idp) but names no acting agent")
        }
        let payload = (try? JSONSerialization.jsonObject(with: Data(verified.payload))) as? [String: Any]
        guard let mcps = payload?["mcps"] as? [String: Any], let number = mcps["trust_level"] as? Int,
              let carried = TrustLevel(rawValue: number)
        else { return gate.fail("identity", "token: lacks mcps.trust_level") }
        gate.levelCap = carried
        return actor
    }

    /// Status, pipeline and trust checks for a known agent.
    private func judge(_ agentID: String, in realm: RealmRuntime, gate: inout Decision) async {
        gate.agentID = agentID
        let principal: Principal?
        do { principal = try await realm.principal(id: agentID) } catch {
            gate.fail("identity", "the directory is unavailable")
            return
        }
        guard let principal else {
            gate.fail("identity", "agent \(agentID) is not in the directory")
            return
        }
        gate.passed.append("identity")
        let roles = realm.mapper.effectiveRoles(of: principal)
        let decision: TrustDecision
        do {
            decision = try await lifecycle.decision(for: principal, directoryLevel: RoleMapper.level(of: roles),
                                                    in: realm, register: false).0
        } catch {
            gate.fail("status", "trust state unavailable")
            return
        }
        // Delegation never raises: an upstream user's token is at most at the level it carries.
        let level = gate.levelCap.map { min($0, decision.level) } ?? decision.level
        gate.level = level
        gate.score = decision.score
        if let refusal = decision.refusal {
            gate.fail("status", refusal.publicDescription)
        } else if let stopped = gate.stoppedActor {
            gate.fail("status", LifecycleBook.stoppedActorDescription(stopped))
        } else {
            gate.passed.append("status")
        }
        if realm.config.trustPolicy.pipelineRequired, decision.stage != .active {
            gate.fail("pipeline", "the agent is \(decision.stage.rawValue), the realm requires ACTIVE")
        } else {
            gate.passed.append("pipeline")
        }
        checkTool(level: level, in: realm, gate: &gate)
    }

    /// A token or JWT passport that is not this realm's but a peer's, with its agent.
    private func foreignAgent(_ body: [String: Any], _ kind: String, in realm: RealmRuntime) -> ForeignAgent? {
        guard kind == "token" || kind == "passport", let compact = body[kind] as? String,
              let iss = FederationService.unverifiedIssuer(compact)
        else { return nil }
        if iss == realm.issuer {
            // This realm's own token, exchanged for a peer's agent: the peer's word decides.
            guard kind == "token", let verified = try? tokens.verify(compact, in: realm, forHerald: false),
                  let entity = verified.claims.federated_from,
                  !(verified.claims.jti.map { lifecycle.book.isRevoked(realm: realm.name, jti: $0) } ?? false),
                  case .success(let foreign) = federation.foreignAgent(verified.claims.sub, entity: entity, in: realm.name)
            else { return nil }
            return foreign
        }
        let result = kind == "token" ? federation.foreignToken(compact, in: realm)
            : federation.foreignPassport(compact, in: realm)
        guard case .success(let foreign) = result else { return nil }
        return foreign
    }

    /// Status, pipeline and trust checks for a peer's agent (wire-formats §7): the peer's
    /// word for its status and stage, at the level granted here.
    private func judge(_ foreign: ForeignAgent, in realm: RealmRuntime, gate: inout Decision) {
        gate.agentID = foreign.entry.sub
        gate.federatedFrom = foreign.entity
        gate.passed.append("identity")
        gate.level = foreign.level
        gate.score = foreign.entry.trustScore
        if let refusal = foreign.refusal { gate.fail("status", refusal) } else { gate.passed.append("status") }
        if realm.config.trustPolicy.pipelineRequired, foreign.entry.pipelineStage != PipelineStage.active.rawValue {
            gate.fail("pipeline", "\(foreign.entity) reports the agent \(foreign.entry.pipelineStage); the realm requires ACTIVE")
        } else {
            gate.passed.append("pipeline")
        }
        checkTool(level: foreign.level, in: realm, gate: &gate)
    }

    private func checkTool(level: TrustLevel, in realm: RealmRuntime, gate: inout Decision) {
        guard let minimum = realm.config.minimumLevel(forTool: gate.tool) else {
            gate.fail("trust", "tool \(gate.tool) is not configured and the realm denies unlisted tools")
            return
        }
        if level >= minimum {
            gate.passed.append("trust")
        } else {
            gate.fail("trust", "\(gate.tool) needs \(minimum.name), the agent is \(level.name)")
        }
    }

    /// The gate's working state and answer.
    struct Decision {
        let tool: String
        var agentID: String?
        /// The peer vouching for a foreign agent.
        var federatedFrom: String?
        var level: TrustLevel?
        var score: Int?
        /// For an upstream user's token: the IdP, the user, and the level the token carries.
        var idp: String?
        var onBehalfOf: String?
        var levelCap: TrustLevel?
        /// An agent acting in the presented token (`act`) that is stopped.
        var stoppedActor: String?
        var passed: [String] = []
        var failed: [String] = []
        var reasons: [String] = []

        init(tool: String) { self.tool = tool }

        var answer: String { failed.isEmpty && !passed.isEmpty ? "ALLOW" : "DENY" }
        var reason: String {
            reasons.isEmpty ? "all checks passed: \(passed.joined(separator: ", "))" : reasons.joined(separator: "; ")
        }

        @discardableResult
        mutating func fail(_ check: String, _ reason: String) -> String? {
            failed.append(check)
            reasons.append(reason)
            return nil
        }
    }
}
