import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// Admin API, wire-formats §9: pipeline gates, code registration, the kill switch, and an
/// agent's lifecycle (stage, gates, score with its components, effective level).
struct AdminLifecycleEndpoint<Context: RequestContext>: Sendable {
    let admin: RealmAdministration
    let lifecycle: LifecycleService

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/agents/:agent/lifecycle", use: show)
        routes.post("realms/:realm/agents/:agent/advance", use: advance)
        routes.post("realms/:realm/agents/:agent/suspend", use: suspend)
        routes.post("realms/:realm/agents/:agent/revoke", use: revoke)
        routes.post("realms/:realm/agents/:agent/code", use: registerCode)
        routes.post("realms/:realm/agents/:agent/kill", use: kill)
        routes.post("realms/:realm/agents/:agent/revive", use: revive)
        routes.post("realms/:realm/orgs/:org/kill", use: killOrg)
        routes.post("realms/:realm/orgs/:org/revive", use: reviveOrg)
        return routes
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let (realm, principal) = try await target(context)
        // Reading changes nothing: an agent never seen yet is shown as it would be registered.
        let record = lifecycle.book.standing(realm: realm.name, agentID: principal.id, org: principal.org).record
            ?? AgentLifecycle(agentID: principal.id, codeHash: principal.codeHash, org: principal.org,
                              registeredAt: lifecycle.clock.now(), statusIndex: -1)
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func advance(_ request: Request, context: Context) async throws -> Response {
        let members = try await AdminBody.members(request)
        let (realm, principal) = try await target(context)
        let body = try AdminBody.decode(AdminAdvanceRequest.self, from: members)
        let name = body.to, approver = body.approver
        guard let stage = PipelineStage(rawValue: name.uppercased()) else {
            throw OAuthError.invalidRequest("unknown stage \(name); stages are \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let record = try await lifecycle.advance(principal, in: realm, to: stage, approver: approver,
                                                 signer: try GateSigner(realm: realm))
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func suspend(_ request: Request, context: Context) async throws -> Response {
        try await stop(request, context, to: .suspended)
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        try await stop(request, context, to: .revoked)
    }

    private func stop(_ request: Request, _ context: Context, to stage: PipelineStage) async throws -> Response {
        let members = try await AdminBody.members(request)
        let (realm, principal) = try await target(context)
        let body = try AdminBody.decode(AdminStopRequest.self, from: members)
        let reason = body.reason, approver = body.approver ?? AdminActor.current
        let record = try await lifecycle.stop(principal, in: realm, to: stage, reason: reason, approver: approver,
                                              signer: try GateSigner(realm: realm))
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func registerCode(_ request: Request, context: Context) async throws -> Response {
        let members = try await AdminBody.members(request)
        let (realm, principal) = try await target(context)
        let body = try AdminBody.decode(AdminCodeRequest.self, from: members)
        let hash = body.codeHash, approver = body.approver ?? AdminActor.current
        guard Self.isCodeHash(hash) else {
            throw OAuthError.invalidRequest("code_hash must be sha256: followed by 64 lowercase hex digits")
        }
        let record = try await lifecycle.registerCode(principal, in: realm, codeHash: hash, approver: approver,
                                                      signer: try GateSigner(realm: realm))
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func kill(_ request: Request, context: Context) async throws -> Response {
        let reason = try await AdminBody.decode(AdminKillRequest.self, request).reason
        let (realm, principal) = try await target(context)
        let record = try await lifecycle.setKill(principal, in: realm, reason: reason, by: AdminActor.current)
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func revive(_ request: Request, context: Context) async throws -> Response {
        let (realm, principal) = try await target(context)
        let record = try await lifecycle.setKill(principal, in: realm, reason: nil, by: AdminActor.current)
        return try AdminBody.response(try await Self.object(record, principal: principal, realm: realm, lifecycle: lifecycle))
    }

    @Sendable func killOrg(_ request: Request, context: Context) async throws -> Response {
        let reason = try await AdminBody.decode(AdminKillRequest.self, request).reason
        let realm = try admin.runtime(context.parameter("realm")), org = try context.parameter("org")
        try await lifecycle.setOrgKill(org, in: realm.name, reason: reason, by: AdminActor.current)
        return try AdminBody.response(orgObject(org, realm: realm))
    }

    @Sendable func reviveOrg(_ request: Request, context: Context) async throws -> Response {
        let realm = try admin.runtime(context.parameter("realm")), org = try context.parameter("org")
        try await lifecycle.setOrgKill(org, in: realm.name, reason: nil, by: AdminActor.current)
        return try AdminBody.response(orgObject(org, realm: realm))
    }

    private func orgObject(_ org: String, realm: RealmRuntime) -> AdminOrgKill {
        let book = lifecycle.book.book(realm: realm.name).state
        let kill = book.orgKills[org]
        return AdminOrgKill(org: org, killed: kill != nil, reason: kill?.reason, killedAt: AdminBody.date(kill?.at),
                            agents: book.agents.values.filter { $0.org == org }.map(\.agentID).sorted())
    }

    /// The realm and the agent named in the path. An agent the directory no longer lists
    /// (or cannot be asked about) but that has a lifecycle record can still be stopped.
    private func target(_ context: Context) async throws -> (RealmRuntime, Principal) {
        let realm = try admin.runtime(context.parameter("realm")), id = try context.parameter("agent")
        let known = lifecycle.book.standing(realm: realm.name, agentID: id, org: nil).record
        let principal: Principal?
        do { principal = try await realm.principal(id: id) } catch {
            guard let known else { throw error }
            principal = Principal(id: id, org: known.org, codeHash: known.codeHash)
        }
        if let principal { return (realm, principal) }
        if let known { return (realm, Principal(id: id, org: known.org, codeHash: known.codeHash)) }
        throw OAuthError.notFound("realm \(realm.name) has no agent \(id)")
    }

    static func isCodeHash(_ value: String) -> Bool {
        guard value.hasPrefix("sha256:") else { return false }
        let hex = value.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The lifecycle view: record, gates, score components and the decision now.
    static func object(_ record: AgentLifecycle, principal: Principal, realm: RealmRuntime,
                       lifecycle: LifecycleService) async throws -> AdminLifecycle {
        let roles = realm.mapper.effectiveRoles(of: principal)
        let standing = lifecycle.book.standing(realm: realm.name, agentID: record.agentID, org: principal.org)
        let decision = TrustDecision(directoryLevel: RoleMapper.level(of: roles), lifecycle: record,
                                     orgKill: standing.orgKill, policy: realm.config.trustPolicy,
                                     levels: realm.levelTable, now: lifecycle.clock.now())
        let policy = realm.config.trustPolicy
        return AdminLifecycle(
            agentID: record.agentID, org: record.org, pipelineStage: record.stage.rawValue,
            allowedNext: record.allowedNext.map(\.rawValue), codeHash: record.codeHash, codeAttested: record.codeAttested,
            registeredAt: AdminBody.date(record.registeredAt), statusIndex: record.statusIndex,
            outcomes: AdminLifecycle.Outcomes(success: record.outcomes.success, failure: record.outcomes.failure,
                                              anomaly: record.outcomes.anomaly),
            kill: record.kill.map { AdminLifecycle.Kill(reason: $0.reason, by: $0.by, at: AdminBody.date($0.at)) },
            orgKilled: standing.orgKill.map { AdminLifecycle.OrgKill(org: $0.org, reason: $0.kill.reason) },
            trustScore: decision.score,
            scoreComponents: TrustScore(agent: record, now: lifecycle.clock.now()).components.map {
                AdminLifecycle.ScoreComponent(name: $0.name, weight: $0.weight, value: $0.value, points: $0.points,
                                              basis: $0.basis)
            },
            directoryLevel: decision.directoryLevel.name, trustLevel: decision.level.name,
            trustPolicy: AdminLifecycle.TrustPolicy(pipeline: policy.pipelineRequired ? "required" : "off",
                                                    earnedLevels: policy.earnedLevels ? "on" : "off"),
            refusal: decision.refusal?.description,
            gates: record.gates.map {
                AdminLifecycle.Gate(from: $0.from.rawValue, to: $0.to.rawValue, approver: $0.approver,
                                    at: AdminBody.date($0.at), codeHash: $0.codeHash, reason: $0.reason,
                                    signature: $0.signature)
            })
    }
}
