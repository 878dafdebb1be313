import Foundation
import HeraldCore
import HeraldDirectory
import HeraldServices
import Synchronization

/// `/health/ready`: is every part a request needs working? The store can be written (a
/// cheap lock probe with a timeout), the audit writer is alive and not stuck, every realm has
/// a signing key and, when it uses LDAP, a directory it can serve from; federation peers have
/// a bundle younger than their `max_staleness` (required or reported, ``ReadinessPolicy``).
///
/// Probes are cached for two seconds and single-flight (``ProbeCache``), and skipped when
/// recent traffic already proved the part works (an audit batch just committed, an LDAP
/// operation just answered), so readiness probes never add load to a busy dependency.
final class Readiness: Sendable {
    let store: any Store
    let audit: (any AuditLogWriter)?
    let registry: RealmRegistry
    let directories: DirectoryProvider
    let federation: FederationService
    let metrics: HeraldMetrics
    let clock: any HeraldClock
    let federationPolicy: ReadinessPolicy
    /// A commit running longer than this means the writer is stuck.
    let stuckAfter: Duration = .seconds(5)
    /// A failed audit batch keeps readiness failing this long (unless one succeeds since):
    /// long enough for a probe to see it, short enough that an idle server gets to try again.
    let auditErrorWindow: TimeInterval = 10

    private let storeProbe = ProbeCache()
    private let ldapProbes = Mutex<[String: ProbeCache]>([:])

    init(store: any Store, audit: (any AuditLogWriter)?, registry: RealmRegistry, directories: DirectoryProvider,
         federation: FederationService, metrics: HeraldMetrics, clock: any HeraldClock, federationPolicy: ReadinessPolicy) {
        self.store = store
        self.audit = audit
        self.registry = registry
        self.directories = directories
        self.federation = federation
        self.metrics = metrics
        self.clock = clock
        self.federationPolicy = federationPolicy
        // At zero from the start, so an alert on its increase works before the first failure.
        if audit != nil { metrics.counter(HeraldMetrics.auditErrors, [], by: 0) }
    }

    /// Every check by name (`store`, `audit`, `realm:<id>`, `federation:<entity>`) and whether
    /// the server is ready; also sets `herald_ready` and `herald_readiness_check_up`.
    func evaluate() async -> (ready: Bool, checks: [String: ReadinessCheck]) {
        async let storeCheck = checkStore()
        var checks: [String: ReadinessCheck] = [:]
        checks["audit"] = checkAudit()
        let realms = registry.all
        await withTaskGroup(of: (String, ReadinessCheck).self) { group in
            for realm in realms { group.addTask { ("realm:\(realm.name)", await self.checkRealm(realm)) } }
            for await (name, check) in group { checks[name] = check }
        }
        for (name, check) in checkFederation(realms) { checks[name] = check }
        checks["store"] = await storeCheck
        let ready = !realms.isEmpty && checks.values.allSatisfy { $0.ok || !$0.required }
        metrics.gauge(HeraldMetrics.ready, []).set(Int64(ready ? 1 : 0))
        metrics.setGauges(HeraldMetrics.checkUp, labelNames: ["check"],
                          Dictionary(uniqueKeysWithValues: checks.map { ([$0.key], $0.value.ok ? 1 : 0) }))
        return (ready, checks)
    }

    // MARK: Store and audit

    private func checkStore() async -> ReadinessCheck {
        // A batch committed within the cache period proves the write path already.
        if let health = audit?.health, !health.lastBatchFailed, let last = health.lastSuccess,
           clock.now().timeIntervalSince(last) < 2 {
            return ReadinessCheck(ok: true, details: ["probe": "recent audit commit"])
        }
        let outcome = await storeProbe.outcome { [store] in try await store.probeWrite() }
        var check = ReadinessCheck(ok: outcome.error == nil, details: ["latency_ms": Self.milliseconds(outcome.latency)])
        if let error = outcome.error { check.details["error"] = "the database cannot be written: \(error)" }
        return check
    }

    private func checkAudit() -> ReadinessCheck {
        guard let audit else { return ReadinessCheck(ok: true, details: ["enabled": false]) }
        let health = audit.health
        var check = ReadinessCheck(ok: true, details: [
            "pending": health.pending, "waiting": health.waiting, "max_pending": health.maxPending,
        ])
        var problems: [String] = []
        if health.closed { problems.append("the audit writer is shut down") }
        if let running = health.commitRunningFor {
            check.details["commit_running_ms"] = Self.milliseconds(running)
            if running > stuckAfter { problems.append("a commit has been running for \(Self.milliseconds(running)) ms") }
        }
        if health.waiting > 0 { problems.append("the queue is full (\(health.maxPending) entries); callers wait") }
        if health.lastBatchFailed, let at = health.lastFailure {
            check.details["last_error"] = health.lastError ?? "unknown"
            check.details["last_error_at"] = Self.timestamp(at)
            if clock.now().timeIntervalSince(at) < auditErrorWindow { problems.append("the last batch was not written") }
        }
        if !problems.isEmpty {
            check.ok = false
            check.details["error"] = problems.joined(separator: "; ")
        }
        return check
    }

    // MARK: Realms

    private func checkRealm(_ realm: RealmRuntime) async -> ReadinessCheck {
        let algorithm = realm.config.signingAlgorithm
        let keys = realm.keyRing.signer(for: algorithm).map {
            ReadinessCheck(ok: true, details: ["kid": $0.kid, "alg": algorithm.rawValue])
        } ?? ReadinessCheck(ok: false, details: ["error": "no active \(algorithm.rawValue) signing key"])
        var details: [String: any Sendable] = ["keys": keys]
        var ok = keys.ok
        if let directory = directories.ldapDirectory(realm: realm.name) {
            let ldap = await checkLDAP(directory, realm: realm.name)
            details["ldap"] = ldap
            ok = ok && ldap.ok
        }
        return ReadinessCheck(ok: ok, details: details)
    }

    /// `mode: live`: the server must answer (the directory fails closed without it).
    /// `mode: sync`: the saved copy must still be servable; the server's reachability is shown.
    private func checkLDAP(_ directory: LDAPDirectory, realm: String) async -> ReadinessCheck {
        var details: [String: any Sendable] = [
            "mode": directory.settings.mode.rawValue, "on_unavailable": directory.settings.onUnavailable.rawValue,
        ]
        let health = directory.monitor.health
        var error: String?
        if !health.isDown, let last = health.lastSuccess, clock.now().timeIntervalSince(last) < 2 {
            details["probe"] = "recent operation"
        } else {
            let probe = ldapProbes.withLock { probes in
                if let probe = probes[realm] { return probe }
                let probe = ProbeCache(timeout: .seconds(max(1, min(directory.settings.timeoutSeconds, 3))))
                probes[realm] = probe
                return probe
            }
            let outcome = await probe.outcome { try await directory.ping() }
            details["latency_ms"] = Self.milliseconds(outcome.latency)
            error = outcome.error
        }
        details["reachable"] = error == nil
        if let error { details["error"] = "the LDAP server does not answer: \(error)" }
        guard let copy = directory.copyState else { return ReadinessCheck(ok: error == nil, details: details) }
        if let age = copy.age { details["copy_age_seconds"] = Int(age) }
        if !copy.servable { details["error"] = "the synchronised copy is too old to serve" + (error.map { " (\($0))" } ?? "") }
        return ReadinessCheck(ok: copy.servable, details: details)
    }

    // MARK: Federation

    private func checkFederation(_ realms: [RealmRuntime]) -> [String: ReadinessCheck] {
        var checks: [String: ReadinessCheck] = [:]
        let now = clock.now()
        for realm in realms {
            for (peer, record) in federation.peerRecords(realm: realm.name) {
                let maxAge = TimeInterval(peer.staleAfterSeconds)
                let stale = record.view.stale(now: now, maxStaleness: maxAge)
                var details: [String: any Sendable] = [
                    "realm": realm.name, "state": record.status.state.rawValue, "max_staleness_seconds": Int(maxAge),
                ]
                if record.view.sequence != nil { details["bundle_age_seconds"] = Int(now.timeIntervalSince(record.view.lastGood)) }
                if stale { details["error"] = "no good bundle younger than max_staleness" + (record.status.reason.map { ": \($0)" } ?? "") }
                let name = checks["federation:\(peer.entity)"] == nil ? "federation:\(peer.entity)"
                                                                       : "federation:\(realm.name):\(peer.entity)"
                checks[name] = ReadinessCheck(ok: !stale, required: federationPolicy == .required, details: details)
            }
        }
        return checks
    }

    // MARK: Gauges for /metrics

    /// Brings the state gauges up to date before an exposition: audit queue, signing keys,
    /// LDAP reachability, federation bundle age and staleness.
    func refreshGauges() async {
        if let audit {
            let health = audit.health
            metrics.setAuditQueueDepth(health.pending + health.waiting)
        }
        let now = clock.now()
        var ages: [[String]: Double] = [:], next: [[String]: Double] = [:]
        for realm in registry.all {
            guard let keys = try? await store.keys(realm: realm.name) else { continue }
            for key in keys where key.state == .active {
                guard let activated = key.activatedAt else { continue }
                let labels = [realm.name, key.kid, key.algorithm.rawValue]
                ages[labels] = now.timeIntervalSince(activated)
                let prepared = keys.filter { $0.algorithm == key.algorithm && $0.state == .prepared }
                    .compactMap(\.activateAt).min()
                let due = prepared ?? activated + TimeInterval(realm.config.keyRotationSeconds)
                next[labels] = due.timeIntervalSince(now)
            }
        }
        metrics.setGauges(HeraldMetrics.keyAge, labelNames: ["realm", "kid", "alg"], ages)
        metrics.setGauges(HeraldMetrics.keyNextRotation, labelNames: ["realm", "kid", "alg"], next)
        var up: [[String]: Double] = [:]
        for (realm, directory) in directories.ldapDirectories { up[[realm]] = directory.monitor.health.isDown ? 0 : 1 }
        metrics.setGauges(HeraldMetrics.ldapUp, labelNames: ["realm"], up)
        var age: [[String]: Double] = [:], stale: [[String]: Double] = [:]
        for realm in registry.all {
            for (peer, record) in federation.peerRecords(realm: realm.name) {
                let labels = [realm.name, peer.entity]
                if record.view.sequence != nil { age[labels] = now.timeIntervalSince(record.view.lastGood) }
                stale[labels] = record.view.stale(now: now, maxStaleness: TimeInterval(peer.staleAfterSeconds)) ? 1 : 0
            }
        }
        metrics.setGauges(HeraldMetrics.bundleAge, labelNames: ["realm", "peer"], age)
        metrics.setGauges(HeraldMetrics.bundleStale, labelNames: ["realm", "peer"], stale)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }

    static func timestamp(_ date: Date) -> String { AccessLogEntry.timestamp(date) }
}
