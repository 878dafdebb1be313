import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServices
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
        let body = try await JSONBody.decode(MCPGateRequest.self, from: request, shape: .objectWithUniqueMembers)
        var gate = Decision(tool: body.tool)
        if let foreign = foreignAgent(body.subject, in: realm) {
            judge(foreign, in: realm, gate: &gate)
        } else if let agentID = await identify(body.subject, in: realm, gate: &gate) {
            await judge(agentID, in: realm, gate: &gate)
        }
        let answer = gate.answer
        try await FailClosedAudit.record(
            AuditEvent(type: "mcp.decision", realm: realm.name, time: lifecycle.clock.now(), actor: caller.clientID,
                       agent: gate.agentID, client: caller.clientID, reason: gate.reason,
                       detail: ["decision": answer.rawValue, "tool": gate.tool, "level": gate.level?.name ?? "",
                                "federated_from": gate.federatedFrom ?? "", "idp": gate.idp ?? "",
                                "on_behalf_of": gate.onBehalfOf ?? "", "failed": gate.failed.joined(separator: ",")]),
            to: audit, what: "decision")
        metrics?.gateDecision(answer.rawValue, tool: Self.toolLabel(gate.tool, in: realm.config))
        return try JSONBody.response(MCPGateDecision(
            decision: answer, agentID: gate.agentID, trustLevel: gate.level?.rawValue, trustScore: gate.score,
            checksPassed: gate.passed, checksFailed: gate.failed, reason: gate.reason,
            federatedFrom: gate.federatedFrom, idp: gate.idp, onBehalfOf: gate.onBehalfOf))
    }

    /// The agent the request is about, or nil with the identity check failed.
    private func identify(_ subject: MCPGateRequest.Subject, in realm: RealmRuntime, gate: inout Decision) async
        -> String?
    {
        switch subject {
        case .agentID(let id):
            return id
        case .token(let token):
            let active: AccessTokenVerifier.Active
            do { active = try tokens.verifyActive(token, in: realm, forHerald: false, book: lifecycle.book) } catch {
                switch error {
                case .invalid(let rejection): return gate.fail("identity", "token: \(rejection.description)")
                case .revoked: return gate.fail("identity", "token: revoked")
                }
            }
            gate.stoppedActor = active.stoppedActor
            if let idp = active.claims.idp { return delegatedAgent(active.verified, idp: idp, in: realm, gate: &gate) }
            return active.claims.sub
        case .passport(let passport):
            switch await passports.check(passport, in: realm) {
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
        let payload = try? JSONDecoder().decode([String: OpaqueJSON].self, from: Data(verified.payload))
        guard let number = payload?["mcps"]?.object?["trust_level"]?.int, let carried = TrustLevel(rawValue: Int(number))
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
    private func foreignAgent(_ subject: MCPGateRequest.Subject, in realm: RealmRuntime) -> ForeignAgent? {
        let compact: String, isToken: Bool
        switch subject {
        case .token(let token): (compact, isToken) = (token, true)
        case .passport(.jwt(let jwt)): (compact, isToken) = (jwt, false)
        default: return nil
        }
        guard let iss = FederationService.unverifiedIssuer(compact) else { return nil }
        if iss == realm.issuer {
            // This realm's own token, exchanged for a peer's agent: the peer's word decides.
            guard isToken, let active = try? tokens.verifyActive(compact, in: realm, forHerald: false, book: lifecycle.book),
                  let entity = active.claims.federated_from,
                  case .success(let foreign) = federation.foreignAgent(active.claims.sub, entity: entity, in: realm.name)
            else { return nil }
            return foreign
        }
        let result = isToken ? federation.foreignToken(compact, in: realm)
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

        var answer: MCPGateDecision.Verdict { failed.isEmpty && !passed.isEmpty ? .allow : .deny }
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
