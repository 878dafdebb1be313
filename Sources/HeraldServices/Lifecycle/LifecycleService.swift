import Foundation
import HeraldCore
import HeraldJOSE
import Logging

/// Every lifecycle change: pipeline gates, code registration, outcome reports, the kill
/// switch and token revocation. Each change is stored first, then put in the
/// ``LifecycleBook`` (so the next request sees it), then audited, then published on the
/// change feed for the other replicas' books (``receive(_:)`` applies theirs). Changes run
/// one at a time (``ChangeQueue``), so the book always matches the store.
package final class LifecycleService: Sendable {
    package let store: any LifecycleRepository
    package let book: LifecycleBook
    package let audit: (any AuditLog)?
    package let clock: any HeraldClock
    package let logger: Logger
    /// Where committed changes go for the other replicas (in process: this one only).
    package let changes: any LifecycleChangeFeed
    /// This replica, so the echo of its own changes is not applied twice.
    package let replica: ReplicaID
    private let queue = ChangeQueue()

    package init(store: any LifecycleRepository, book: LifecycleBook, audit: (any AuditLog)?, clock: any HeraldClock,
                 logger: Logger, changes: any LifecycleChangeFeed = LocalChangeFeed<LifecycleChange>(),
                 replica: ReplicaID = .process) {
        self.store = store
        self.book = book
        self.audit = audit
        self.clock = clock
        self.logger = logger
        self.changes = changes
        self.replica = replica
    }

    /// Loads the realm's stored lifecycle into the book.
    package func load(realm: String) async throws {
        book.replace(realm: realm, with: try await store.lifecycleState(realm: realm))
    }

    // MARK: - The request path

    /// The agent's trust decision now. With `register`, an agent seen for the first time is
    /// recorded at INTAKE (a write, once per agent); without, it is judged as if it were.
    package func decision(for principal: Principal, directoryLevel: TrustLevel, in realm: RealmRuntime,
                          register: Bool = true) async throws -> (TrustDecision, AgentLifecycle) {
        var standing = book.standing(realm: realm.name, agentID: principal.id, org: principal.org)
        if standing.record == nil, register {
            _ = try await self.register(principal, in: realm)
            standing = book.standing(realm: realm.name, agentID: principal.id, org: principal.org)
        } else if register, let directoryHash = principal.codeHash, let record = standing.record,
                  record.directoryCodeHash != directoryHash {
            // The directory now reports different code (an edited agent, an LDAP attribute):
            // that is a new code registration, and it sends the agent back to VETTING.
            _ = try await registerCode(principal, in: realm, codeHash: directoryHash, approver: "directory",
                                       signer: try GateSigner(realm: realm), fromDirectory: true)
            standing = book.standing(realm: realm.name, agentID: principal.id, org: principal.org)
        }
        let record = standing.record
            ?? AgentLifecycle(agentID: principal.id, codeHash: principal.codeHash, org: principal.org,
                              registeredAt: clock.now(), statusIndex: -1)
        let decision = TrustDecision(directoryLevel: directoryLevel, lifecycle: record,
                                     orgKill: standing.orgKill, policy: realm.config.trustPolicy,
                                     levels: realm.levelTable, now: clock.now())
        return (decision, record)
    }

    /// The agent's record, creating it at INTAKE when it has none.
    @discardableResult
    package func register(_ principal: Principal, in realm: RealmRuntime) async throws -> AgentLifecycle {
        try await change(principal, in: realm, event: { before, _ in
            before == nil ? ("agent.registered", [:]) : nil
        }) { _ in }
    }

    // MARK: - Pipeline

    /// Moves the agent one gate forward (or back from SUSPENDED to where it was); the gate
    /// record is signed with the realm key. A skip is 409 naming the allowed next stage.
    package func advance(_ principal: Principal, in realm: RealmRuntime, to target: PipelineStage, approver: String,
                         signer: GateSigner) async throws -> AgentLifecycle {
        let now = clock.now()
        return try await change(principal, in: realm, event: { before, after in
            ("agent.stage_changed", ["from": before?.stage.rawValue ?? PipelineStage.intake.rawValue,
                                     "to": after.stage.rawValue, "approver": approver,
                                     "code_hash": after.codeHash ?? "", "gate": after.gates.last?.signature ?? ""])
        }) { record throws(ServiceError) in
            guard record.allowedNext.contains(target) else {
                let allowed = record.allowedNext.map(\.rawValue)
                throw ServiceError(.stageSkip,
                                   allowed.isEmpty
                                       ? "agent \(record.agentID) is \(record.stage.rawValue) and cannot move to \(target.rawValue)"
                                       : "agent \(record.agentID) is \(record.stage.rawValue); the only allowed next stage is \(allowed.joined(separator: ", ")), not \(target.rawValue)")
            }
            if (target.rank ?? 0) > PipelineStage.vetting.rank!, record.codeHash == nil {
                throw ServiceError(.codeHashMissing,
                                   "agent \(record.agentID) has no registered code hash; register one before \(target.rawValue)")
            }
            try record.pass(to: target, approver: approver, at: now, reason: nil, signer: signer)
            if target.rank != nil { record.suspendedFrom = nil }
        }
    }

    /// Suspends (reversible: the agent may only go back to the stage it left) or revokes
    /// (terminal) the agent.
    package func stop(_ principal: Principal, in realm: RealmRuntime, to target: PipelineStage, reason: String,
                      approver: String, signer: GateSigner) async throws -> AgentLifecycle {
        precondition(target == .suspended || target == .revoked)
        let now = clock.now()
        return try await change(principal, in: realm, event: { before, after in
            ("agent.stage_changed", ["from": before?.stage.rawValue ?? PipelineStage.intake.rawValue,
                                     "to": after.stage.rawValue, "approver": approver, "reason": reason,
                                     "gate": after.gates.last?.signature ?? ""])
        }) { record throws(ServiceError) in
            guard record.stage != .revoked else {
                throw ServiceError(.stageSkip,
                                   "agent \(record.agentID) is REVOKED; that is final")
            }
            guard record.stage != target else {
                throw ServiceError(.stageSkip,
                                   "agent \(record.agentID) is already \(target.rawValue)")
            }
            if target == .suspended { record.suspendedFrom = record.stage }
            try record.pass(to: target, approver: approver, at: now, reason: reason, signer: signer)
        }
    }

    /// Registers the agent's code hash; new code sends an agent past VETTING back to VETTING.
    package func registerCode(_ principal: Principal, in realm: RealmRuntime, codeHash: String, approver: String,
                              signer: GateSigner, fromDirectory: Bool = false) async throws -> AgentLifecycle {
        let now = clock.now()
        return try await change(principal, in: realm, event: { before, after in
            var detail = ["code_hash": codeHash, "previous": before?.codeHash ?? "", "stage": after.stage.rawValue]
            if let before, before.stage != after.stage, let gate = after.gates.last {
                // The demotion is a gate: its signed record goes into the chain with it.
                detail["from"] = gate.from.rawValue
                detail["to"] = gate.to.rawValue
                detail["gate"] = gate.signature
            }
            return ("agent.code_registered", detail)
        }) { record throws(ServiceError) in
            guard record.stage != .revoked else {
                throw ServiceError(.stageSkip,
                                   "agent \(record.agentID) is REVOKED; it takes no new code")
            }
            if fromDirectory { record.directoryCodeHash = codeHash }
            guard record.codeHash != codeHash else { return }
            record.codeHash = codeHash
            if let rank = record.stage.rank, rank > PipelineStage.vetting.rank! {
                try record.pass(to: .vetting, approver: approver, at: now, reason: "new code hash", signer: signer)
            } else if record.stage == .suspended, let from = record.suspendedFrom, (from.rank ?? 0) > PipelineStage.vetting.rank! {
                record.suspendedFrom = .vetting
            }
        }
    }

    /// Counts an outcome report from a registered client.
    package func recordOutcome(_ principal: Principal, in realm: RealmRuntime, kind: OutcomeKind, reference: String,
                               reporter: String) async throws -> AgentLifecycle {
        try await change(principal, in: realm, event: { _, _ in
            ("agent.outcome_reported", ["outcome": kind.rawValue, "reference": reference, "reporter": reporter])
        }) { record in
            switch kind {
            case .success: record.outcomes.success += 1
            case .failure: record.outcomes.failure += 1
            case .anomaly: record.outcomes.anomaly += 1
            }
        }
    }

    // MARK: - Kill switch

    /// Stops (`reason` set) or revives (`reason` nil) one agent.
    package func setKill(_ principal: Principal, in realm: RealmRuntime, reason: String?, by actor: String) async throws
        -> AgentLifecycle
    {
        let now = clock.now()
        return try await change(principal, in: realm, event: { before, after in
            guard before?.kill != after.kill else { return nil }
            return (after.kill == nil ? "agent.revived" : "agent.killed", ["reason": reason ?? ""])
        }) { record in
            record.kill = reason.map { KillRecord(reason: $0, by: actor, at: now) }
        }
    }

    /// Stops (`reason` set) or revives (`reason` nil) a whole organisation.
    package func setOrgKill(_ org: String, in realm: String, reason: String?, by actor: String) async throws {
        let kill = reason.map { KillRecord(reason: $0, by: actor, at: clock.now()) }
        try await queue.run { [self] in
            try await store.setOrgKill(realm: realm, org: org, kill: kill)
            let change = LifecycleChange.Kind.orgKill(org: org, kill: kill)
            book.apply(change, realm: realm, now: clock.now())
            logger.notice(kill == nil ? "organisation revived" : "organisation killed",
                          metadata: ["realm.id": "\(realm)", "org": "\(org)"])
            try await audit?.record(AuditEvent(type: kill == nil ? "org.revived" : "org.killed", realm: realm,
                                               time: clock.now(), actor: actor, reason: reason,
                                               detail: ["org": org]))
            try await publish(change, realm: realm)
        }
    }

    /// Revokes one access token (RFC 7009) until it expires.
    package func revokeToken(jti: String, expiresAt: Date, realm: String, agent: String?, client: String) async throws {
        try await queue.run { [self] in
            try await store.saveRevokedToken(realm: realm, jti: jti, expiresAt: expiresAt)
            let now = clock.now()
            let change = LifecycleChange.Kind.tokenRevoked(jti: jti, expiresAt: expiresAt)
            book.apply(change, realm: realm, now: now)
            try await audit?.record(AuditEvent(type: "token.revoked", realm: realm, time: now, actor: client,
                                               agent: agent, client: client, detail: ["jti": jti]))
            try await publish(change, realm: realm)
        }
    }

    // MARK: - Other replicas

    /// Applies a change another replica committed (from the change feed): in place, or, for
    /// ``LifecycleChange/Kind/reload``, by reloading the realm from the store. The echo of
    /// this replica's own changes is ignored (the book has them since their commit). In the
    /// change queue, so it lands between this replica's own changes, never inside one.
    package func receive(_ change: LifecycleChange) async throws {
        guard change.origin != replica else { return }
        try await queue.run { [self] in
            if change.kind == .reload {
                book.replace(realm: change.realm, with: try await store.lifecycleState(realm: change.realm))
            } else {
                book.apply(change.kind, realm: change.realm, now: clock.now())
            }
        }
    }

    /// Hands a committed change to the other replicas. Fails closed: a change that could not
    /// reach them is answered 503 (it is stored, in this book and audited; repeating it is
    /// safe), so no one takes a kill for done everywhere when it is not.
    private func publish(_ kind: LifecycleChange.Kind, realm: String) async throws {
        do { try await changes.publish(LifecycleChange(origin: replica, realm: realm, kind: kind)) } catch {
            logger.error("lifecycle change not published to the other replicas",
                         metadata: ["realm.id": "\(realm)", "error": "\(error)"])
            throw ServiceError(.temporarilyUnavailable,
                               "the change is stored but has not reached every replica; repeat it shortly",
                               reason: "lifecycle change feed: \(error)")
        }
    }

    // MARK: -

    /// Applies `mutate` to the agent's record (created at INTAKE when absent) in one store
    /// transaction, then updates the book and records the event `event` describes (nil: none).
    private func change(
        _ principal: Principal, in realm: RealmRuntime,
        event: @escaping @Sendable (_ before: AgentLifecycle?, _ after: AgentLifecycle) -> (String, [String: String])?,
        _ mutate: @escaping @Sendable (inout AgentLifecycle) throws -> Void
    ) async throws -> AgentLifecycle {
        let realmName = realm.name, now = clock.now()
        return try await queue.run { [self] in
            let before = book.standing(realm: realmName, agentID: principal.id, org: principal.org).record
            let stored = try await store.modifyAgentLifecycle(realm: realmName, agentID: principal.id) { record, next in
                var updated = record ?? AgentLifecycle(agentID: principal.id, codeHash: principal.codeHash,
                                                       org: principal.org, registeredAt: now, statusIndex: next)
                if let org = principal.org { updated.org = org }
                try mutate(&updated)
                record = updated
            }
            guard let after = stored else { throw HeraldError(.storage, "lifecycle of \(principal.id) was not stored") }
            book.apply(.agent(after), realm: realmName, now: now)
            if let (type, detail) = event(before, after) {
                let actor = AdminActor.current == AdminActor.unknown ? "system" : AdminActor.current
                try await audit?.record(AuditEvent(type: type, realm: realmName, time: clock.now(),
                                                   actor: actor, agent: after.agentID,
                                                   reason: after.kill?.reason, detail: detail))
            }
            try await publish(.agent(after), realm: realmName)
            return after
        }
    }
}

/// Signs pipeline gate records with the realm's token key (`typ: pipeline-gate+jwt`).
package struct GateSigner: Sendable {
    package let issuer: String
    package let signer: JWTSigner

    package init(realm: RealmRuntime) throws(ServiceError) {
        guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else {
            throw ServiceError(.temporarilyUnavailable,
                               "the realm has no active signing key to sign the gate; retry shortly")
        }
        issuer = realm.issuer
        self.signer = signer
    }

    package func sign(agent: String, from: PipelineStage, to: PipelineStage, approver: String, at: Date, codeHash: String?,
                      reason: String?) throws -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", agent)
        writer.member("iat", Int(at.timeIntervalSince1970))
        writer.member("from", from.rawValue)
        writer.member("to", to.rawValue)
        writer.member("approver", approver)
        if let codeHash { writer.member("code_hash", codeHash) }
        if let reason { writer.member("reason", reason) }
        writer.endObject()
        return try signer.sign(claims: writer.bytes, typ: "pipeline-gate+jwt")
    }
}

extension AgentLifecycle {
    /// Moves to `target` and appends the signed gate record.
    package mutating func pass(to target: PipelineStage, approver: String, at time: Date, reason: String?,
                               signer: GateSigner) throws(ServiceError) {
        let signature: String
        do {
            signature = try signer.sign(agent: agentID, from: stage, to: target, approver: approver, at: time,
                                        codeHash: codeHash, reason: reason)
        } catch {
            throw ServiceError(.serverError, "the gate could not be signed",
                               reason: "gate signing failed: \(error)")
        }
        gates.append(GateRecord(from: stage, to: target, approver: approver, at: time, codeHash: codeHash,
                                reason: reason, signature: signature))
        stage = target
    }
}
