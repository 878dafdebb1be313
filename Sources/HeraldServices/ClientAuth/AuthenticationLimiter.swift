import Foundation
import HeraldCore

/// Brute-force protection of client authentication (docs/configuration.md, "brute_force"):
/// every client authentication with a secret, an assertion or an LDAP bind passes through
/// ``admit(realm:client:address:)`` before its credentials are checked and reports its
/// outcome after. Failures are counted per client id and per source address; a locked key is
/// refused with 429 without checking anything, so a lockout costs no hashing and times the
/// same for every client id, registered or not. Also the per-caller outcome-report rate.
public final class AuthenticationLimiter: Sendable {
    /// Longest client id kept as a key: longer ones (no registered client has one) share the
    /// key of their first bytes, so made-up ids cannot grow memory by their length.
    package static let maxKeyBytes = 256

    public let clients: LockoutTable
    public let addresses: LockoutTable
    package let reports: RateLimiter
    package let clock: any HeraldClock
    package let audit: (any AuditLog)?
    package let metrics: (any ServiceMetrics)?
    /// Peers whose `X-Forwarded-For` is believed.
    public let trustedProxies: Set<ClientAddress>

    package init(clock: any HeraldClock, audit: (any AuditLog)?, metrics: (any ServiceMetrics)?,
                trustedProxies: Set<ClientAddress> = [], capacity: Int = 50_000) {
        clients = LockoutTable(capacity: capacity)
        addresses = LockoutTable(capacity: capacity)
        reports = RateLimiter(capacity: capacity)
        self.clock = clock
        self.audit = audit
        self.metrics = metrics
        self.trustedProxies = trustedProxies
        metrics?.beforeExposition { [clients, addresses, clock] metrics in
            let now = clock.now()
            metrics.setLocked(scope: "client", counts: clients.lockedCounts(now: now))
            metrics.setLocked(scope: "address", counts: addresses.lockedCounts(now: now))
        }
    }

    /// One authentication attempt between ``admit(realm:client:address:)`` and its outcome.
    public struct Attempt: Sendable {
        package let realm: String
        package let settings: BruteForceSettings
        package let client: LockoutTable.Key?
        package let address: ClientAddress
        /// The client had failures on record, so a success has a run to end.
        package let clientTracked: Bool
    }

    /// Refuses (429) when the address or the claimed client is locked; else the attempt to
    /// report the outcome of.
    package func admit(realm: String, settings: BruteForceSettings, client: String?, address: ClientAddress)
        async throws(ServiceError) -> Attempt
    {
        guard settings.enabled else {
            return Attempt(realm: realm, settings: settings, client: nil, address: address, clientTracked: false)
        }
        let clientKey = client.map { LockoutTable.Key(realm: realm, subject: .client(Self.keyed($0))) }
        // The common case, nothing on record anywhere: not even the clock is read.
        guard addresses.count > 0 || clients.count > 0 else {
            return Attempt(realm: realm, settings: settings, client: clientKey, address: address, clientTracked: false)
        }
        let now = clock.now()
        if settings.address.enabled {
            let key = LockoutTable.Key(realm: realm, subject: .address(address.limitKey))
            try await apply(addresses.admit(key, now: now), key: key, scope: "address", address: address, now: now)
        }
        var tracked = false
        if let clientKey, settings.client.enabled {
            let admission = clients.admit(clientKey, now: now)
            tracked = admission != .clear
            try await apply(admission, key: clientKey, scope: "client", address: address, now: now)
        }
        return Attempt(realm: realm, settings: settings, client: clientKey, address: address, clientTracked: tracked)
    }

    /// A failed authentication (`reason` is the internal one, for the audit entry of a lockout).
    public func failed(_ attempt: Attempt, reason: String) async {
        metrics?.clientAuthFailed(realm: attempt.realm)
        guard attempt.settings.enabled else { return }
        let now = clock.now()
        if attempt.settings.address.enabled {
            let key = LockoutTable.Key(realm: attempt.realm, subject: .address(attempt.address.limitKey))
            let failure = addresses.recordFailure(key, policy: attempt.settings.address, now: now)
            if let until = failure.lockedUntil {
                await lockStarted(attempt, key: key, scope: "address", failures: failure.failures, until: until,
                                  reason: reason, now: now)
            }
        }
        if let key = attempt.client, attempt.settings.client.enabled {
            let failure = clients.recordFailure(key, policy: attempt.settings.client, now: now)
            if let until = failure.lockedUntil {
                await lockStarted(attempt, key: key, scope: "client", failures: failure.failures, until: until,
                                  reason: reason, now: now)
            }
        }
    }

    /// A successful authentication ends the client's run of failures. The address keeps its
    /// count: one good client must not buy an address more guesses at others.
    public func succeeded(_ attempt: Attempt) {
        guard attempt.clientTracked, let key = attempt.client else { return }
        clients.recordSuccess(key)
    }

    /// Spends one outcome report of `caller`'s rate; 429 with `Retry-After` when none is left.
    package func takeReport(realm: String, settings: BruteForceSettings, caller: String) throws(ServiceError) {
        guard let rate = settings.eventRate else { return }
        let key = LockoutTable.Key(realm: realm, subject: .client(Self.keyed(caller)))
        guard let wait = reports.take(key, rate: rate, now: clock.now()) else { return }
        metrics?.outcomeReportLimited(realm: realm)
        throw ServiceError(.rateLimited, "more than \(rate.text) outcome reports from this caller; retry after \(wait) s",
                           reason: "outcome-report rate of \(caller) exceeded", retryAfterSeconds: wait)
    }

    package static func keyed(_ clientID: String) -> String {
        clientID.utf8.count <= maxKeyBytes ? clientID : String(decoding: clientID.utf8.prefix(maxKeyBytes), as: UTF8.self)
    }

    private func apply(_ admission: LockoutTable.Admission, key: LockoutTable.Key, scope: String, address: ClientAddress,
                       now: Date) async throws(ServiceError) {
        switch admission {
        case .clear, .counting(ended: nil):
            return
        case .counting(ended: let refused?):
            await record("auth.lockout.ended", key: key, scope: scope, address: address, now: now,
                         detail: ["refused": String(refused)])
        case .locked(let until, let report):
            metrics?.lockedRefusal(realm: key.realm, scope: scope)
            if let report {
                await record("auth.lockout.refused", key: key, scope: scope, address: address, now: now,
                             detail: ["refused": String(report), "until": Self.timestamp(until)])
            }
            let wait = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
            let whom = scope == "client" ? "for this client" : "from this address"
            throw ServiceError(.lockedOut, "too many failed authentications \(whom); retry after \(wait) s",
                               reason: "\(scope) \(Self.name(key)) is locked out until \(Self.timestamp(until))",
                               retryAfterSeconds: wait)
        }
    }

    private func lockStarted(_ attempt: Attempt, key: LockoutTable.Key, scope: String, failures: Int, until: Date,
                             reason: String, now: Date) async {
        metrics?.lockoutStarted(realm: attempt.realm, scope: scope)
        await record("auth.lockout.started", key: key, scope: scope, address: attempt.address, now: now, reason: reason,
                     detail: ["failures": String(failures), "wait": String(Int(until.timeIntervalSince(now).rounded())),
                              "until": Self.timestamp(until)])
    }

    /// An audit entry about a lock. It is not what the answer waits on: a lost entry must not
    /// turn a refusal into anything else, so a failure to record is ignored.
    private func record(_ type: String, key: LockoutTable.Key, scope: String, address: ClientAddress, now: Date,
                        reason: String? = nil, detail: [String: String]) async {
        guard let audit else { return }
        var client: String?
        var detail = detail
        detail["scope"] = scope
        detail["address"] = address.description
        if case .client(let id) = key.subject { client = id }
        _ = try? await audit.record(AuditEvent(type: type, realm: key.realm, time: now, actor: "system", client: client,
                                               reason: reason, detail: detail))
    }

    private static func name(_ key: LockoutTable.Key) -> String {
        switch key.subject {
        case .client(let id): id
        case .address(let address): address.description
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
