import Foundation
import HeraldCore
import Logging
import Synchronization

/// A realm's agents read from an LDAP server (`directory.ldap`), as Keycloak's LDAP user
/// federation and its group mappers read them.
///
/// - `mode: live` asks the server on a cache miss: one search for the agent (with its
///   `memberOf` when the server keeps it), one for its groups when it does not, and one for
///   the realm's group tree when nesting is followed (cached for `cache_ttl`): at most three
///   round trips for a cold lookup. Active Directory resolves nesting itself
///   (LDAP_MATCHING_RULE_IN_CHAIN) in the second.
/// - `mode: sync` serves a full copy taken every `sync_period` by ``sync()``.
///
/// Groups named `mcps-l0`…`mcps-l4` give that level role directly; every group appears in
/// the principal's `groups` by DN and by name, for the realm's role mappings. Disabled
/// agents (`disabled_filter`) are not found. All LDAP calls run on a ``BlockingExecutor``.
public final class LDAPDirectory: PasswordCheckingDirectory {
    public let settings: LDAPSettings
    /// Round trips and connections, for tests and benchmarks.
    public let statistics = LDAPStatistics()
    /// The server's health as operations find it, and the latency/cache observer.
    public let monitor = LDAPMonitor()

    let pool: LDAPConnectionPool
    private let bindPool: LDAPConnectionPool
    let clock: any HeraldClock
    private let logger: Logger
    private let state = Mutex(State())
    private let copyFile: String?

    private struct State {
        var agents: [String: LDAPAgent] = [:]
        var missing: [String: Date] = [:]
        var groupIndex: (index: LDAPGroupIndex, fetchedAt: Date)?
        var snapshot: Snapshot?
        var syncing: Task<LDAPSyncReport, any Error>?
        /// Lookups on their way to the server: concurrent misses for one id share one.
        var lookups: [String: Task<LDAPAgent?, any Error>] = [:]
    }

    private struct Snapshot {
        var agents: [String: LDAPAgent]
        var syncedAt: Date
    }

    /// - Parameters:
    ///   - bindPassword: the service account's password (see ``bindPassword(for:environment:)``).
    ///   - copyFile: with `mode: sync`, where each synchronised copy is saved (mode 0600) and
    ///     read back at start, so a restarted server can serve it while the LDAP server is down
    ///     (within the same age limit as any copy).
    public init(settings: LDAPSettings, bindPassword: String?, clock: any HeraldClock = SystemClock(), logger: Logger,
                executor: BlockingExecutor = .shared, poolSize: Int = 4, copyFile: String? = nil) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.copyFile = settings.mode == .sync ? copyFile : nil
        _ = Self.ignoreSIGPIPE
        let options = LDAPConnectionOptions(url: settings.url, startTLS: settings.startTLS, caFile: settings.caFile,
                                            timeoutSeconds: settings.timeoutSeconds)
        let credentials = settings.bindDN.map { LDAPConnectionPool.Credentials(dn: $0, password: bindPassword ?? "") }
        pool = LDAPConnectionPool(options: options, credentials: credentials, capacity: poolSize, executor: executor,
                                  statistics: statistics)
        bindPool = LDAPConnectionPool(options: options, credentials: nil, capacity: poolSize, executor: executor,
                                      statistics: statistics)
        if let file = self.copyFile { restoreCopy(from: file) }
    }

    /// The saved copy of a synchronised directory.
    private struct SavedCopy: Codable {
        var version = 1
        var url: String
        var syncedAt: Date
        var agents: [LDAPAgent]
    }

    private func saveCopy(_ agents: [String: LDAPAgent], syncedAt: Date) {
        guard let copyFile else { return }
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            let data = try encoder.encode(SavedCopy(url: settings.url, syncedAt: syncedAt,
                                                    agents: agents.values.sorted { $0.principal.id < $1.principal.id }))
            let directory = (copyFile as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let temporary = copyFile + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw HeraldError(.storage, "cannot write \(temporary)") }
            guard rename(temporary, copyFile) == 0 else { throw HeraldError(.storage, "cannot rename \(temporary)") }
        } catch {
            logger.warning("could not save the LDAP directory copy", metadata: ["file": "\(copyFile)", "error": "\(error)"])
        }
    }

    private func restoreCopy(from file: String) {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let saved = try? decoder.decode(SavedCopy.self, from: data), saved.url == settings.url else {
            logger.warning("ignoring an unreadable or foreign LDAP directory copy", metadata: ["file": "\(file)"])
            return
        }
        let agents = Dictionary(saved.agents.map { ($0.principal.id, $0) }, uniquingKeysWith: { first, _ in first })
        state.withLock { $0.snapshot = Snapshot(agents: agents, syncedAt: saved.syncedAt) }
        logger.info("LDAP directory copy restored", metadata: [
            "agents": "\(agents.count)", "synced_at": "\(saved.syncedAt)",
        ])
    }

    /// A write to a connection the server has closed must be an error, not the end of the process.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// The service account's password from `bind_password_file` or `bind_password_env`;
    /// nil when neither is set (anonymous searches).
    public static func bindPassword(for settings: LDAPSettings,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let file = settings.bindPasswordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HeraldError(.invalidConfiguration, "cannot read the LDAP bind password file \(file)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        if let name = settings.bindPasswordEnv {
            guard let value = environment[name] else {
                throw HeraldError(.invalidConfiguration, "environment variable \(name) (LDAP bind password) is not set")
            }
            return value
        }
        return nil
    }

    /// Closes idle connections.
    public func shutdown() {
        pool.shutdown()
        bindPool.shutdown()
    }

    /// Forgets every cached agent and the group tree (the next lookups go to the server).
    public func invalidate() {
        state.withLock { state in
            state.agents = [:]
            state.missing = [:]
            state.groupIndex = nil
        }
    }

    // MARK: DirectoryConnector

    public func principal(id: String) async throws -> Principal? {
        try await agent(id: id)?.principal
    }

    /// The agent `id` with its entry DN and groups, from the cache or the server.
    public func agent(id: String) async throws -> LDAPAgent? {
        if settings.mode == .sync { return try await fromSnapshot(id) }
        let now = clock.now()
        enum Cached { case fresh(LDAPAgent), missing, stale(LDAPAgent?) }
        let cached: Cached = state.withLock { state in
            if let agent = state.agents[id] {
                if now.timeIntervalSince(agent.fetchedAt) < Double(settings.cacheTTLSeconds) { return .fresh(agent) }
                return .stale(agent)
            }
            if let at = state.missing[id], now.timeIntervalSince(at) < Double(settings.negativeCacheTTLSeconds) {
                return .missing
            }
            return .stale(nil)
        }
        let stale: LDAPAgent?
        switch cached {
        case .fresh(let agent):
            monitor.cacheLookup(hit: true)
            return agent
        case .missing:
            monitor.cacheLookup(hit: true)
            return nil
        case .stale(let agent):
            monitor.cacheLookup(hit: false)
            stale = agent
        }
        let lookup: Task<LDAPAgent?, any Error> = state.withLock { state in
            if let running = state.lookups[id] { return running }
            let task = Task { try await self.lookUpAndRemember(id: id, at: now) }
            state.lookups[id] = task
            return task
        }
        do {
            return try await lookup.value
        } catch {
            if error.isUnavailable, settings.onUnavailable == .serveStale, let stale,
               now.timeIntervalSince(stale.fetchedAt) <= Double(settings.cacheTTLSeconds + settings.maxStaleSeconds) {
                logger.warning("LDAP directory unavailable; serving a cached agent", metadata: [
                    "agent.id": "\(id)", "ldap.error": "\(error)",
                    "age": "\(Int(now.timeIntervalSince(stale.fetchedAt)))s",
                ])
                return stale
            }
            logger.error("LDAP directory lookup failed", metadata: ["agent.id": "\(id)", "ldap.error": "\(error)"])
            throw HeraldError(.directoryUnavailable, "\(error)")
        }
    }

    /// One lookup at the server; its answer replaces the cached one.
    private func lookUpAndRemember(id: String, at now: Date) async throws -> LDAPAgent? {
        do {
            let agent = try await lookUp(id: id, at: now)
            state.withLock { state in
                state.lookups[id] = nil
                if let agent {
                    state.agents[id] = agent
                    state.missing[id] = nil
                } else {
                    state.agents[id] = nil
                    state.missing[id] = now
                }
            }
            return agent
        } catch {
            state.withLock { $0.lookups[id] = nil }
            throw error
        }
    }

    // MARK: PasswordCheckingDirectory

    /// Binds as the agent's entry with `password` on a connection of its own (never the
    /// service account's). The password is never logged.
    public func checkPassword(_ password: String, agentID: String) async throws -> Bool {
        guard !password.isEmpty else { return false }
        guard let agent = try await agent(id: agentID) else { return false }
        let dn = agent.dn
        do {
            try await monitor.timed { () async throws(LDAPError) in
                try await bindPool.withConnection { connection throws(LDAPError) in
                    try connection.bind(dn: dn, password: password)
                }
            }
            return true
        } catch {
            if error.code == LDAPError.Code.invalidCredentials { return false }
            logger.error("LDAP bind as an agent failed", metadata: ["agent.id": "\(agentID)", "ldap.error": "\(error)"])
            if error.isUnavailable { throw HeraldError(.directoryUnavailable, error.description) }
            return false
        }
    }

    // MARK: Lookups

    /// The user search: the configured filter, the id, and not disabled.
    func userFilter(id: String, includeDisabled: Bool = false) -> String {
        var terms = [LDAPFilter.normalized(settings.users.filter), LDAPFilter.equals(settings.users.idAttribute, id)]
        if !includeDisabled, let disabled = settings.users.disabledFilter {
            terms.append(LDAPFilter.not(LDAPFilter.normalized(disabled)))
        }
        return LDAPFilter.and(terms)
    }

    private var userAttributes: [String] {
        var names = [settings.users.idAttribute]
        for name in [settings.users.nameAttribute, settings.users.orgAttribute, settings.users.codeHashAttribute,
                     settings.groups?.memberOfAttribute] {
            if let name { names.append(name) }
        }
        return names
    }

    private func scope(_ scope: LDAPSettings.Scope) -> LDAPConnection.Scope {
        switch scope {
        case .base: .base
        case .one: .one
        case .sub: .sub
        }
    }

    private func search(base: String, scope: LDAPConnection.Scope, filter: String, attributes: [String],
                        paged: Bool = true) async throws(LDAPError) -> [LDAPEntry] {
        try await monitor.timed { () async throws(LDAPError) in
            try await pool.withConnection { connection throws(LDAPError) in
                try connection.search(base: base, scope: scope, filter: filter, attributes: attributes,
                                      pageSize: paged ? 500 : nil)
            }
        }
    }

    /// One agent from the server: 1 round trip for the entry, +1 for its groups without
    /// `memberOf` (or for Active Directory's in-chain search), +1 for the group tree when
    /// nesting is followed and the tree is not cached.
    private func lookUp(id: String, at now: Date) async throws(LDAPError) -> LDAPAgent? {
        let entries = try await search(base: settings.users.baseDN, scope: scope(settings.users.scope),
                                       filter: userFilter(id: id), attributes: userAttributes, paged: false)
        guard entries.count == 1, let entry = entries.first else {
            if entries.count > 1 {
                logger.warning("LDAP agent id matches several entries; treated as unknown",
                               metadata: ["agent.id": "\(id)", "entries": "\(entries.count)"])
            }
            return nil
        }
        let memberships = try await groups(of: entry, id: id, at: now)
        return makeAgent(entry, id: id, memberships: memberships, at: now)
    }

    private func groups(of entry: LDAPEntry, id: String, at now: Date) async throws(LDAPError) -> [LDAPGroupMembership] {
        guard let groups = settings.groups else { return [] }
        let membership = groups.membershipAttribute
        if settings.vendor == .ad && membership != .memberUid {
            let found = try await search(base: groups.baseDN, scope: .sub,
                                         filter: LDAPFilter.and([LDAPFilter.normalized(groups.filter),
                                                                 groups.nested ? LDAPFilter.inChain(membership.rawValue, entry.dn)
                                                                     : LDAPFilter.equals(membership.rawValue, entry.dn)]),
                                         attributes: ["cn"])
            return found.map { LDAPGroupMembership(dn: $0.dn, name: $0.value("cn") ?? LDAPDN.firstValue($0.dn) ?? $0.dn,
                                                   path: groups.nested ? [] : [$0.dn]) }
        }
        var direct: [String]
        if let memberOf = groups.memberOfAttribute {
            direct = entry.values(memberOf).filter { LDAPDN.isWithin($0, base: groups.baseDN) }
        } else {
            let value = membership == .memberUid ? (entry.value(settings.users.idAttribute) ?? id) : entry.dn
            direct = try await search(base: groups.baseDN, scope: .sub,
                                      filter: LDAPFilter.and([LDAPFilter.normalized(groups.filter),
                                                              LDAPFilter.equals(membership.rawValue, value)]),
                                      attributes: ["cn"]).map(\.dn)
        }
        let nested = groups.nested && membership != .memberUid
        let index = nested ? try await groupIndex(at: now) : LDAPGroupIndex()
        return index.memberships(direct: direct, nested: nested, maxDepth: groups.maxDepth)
    }

    /// The group tree, cached for `cache_ttl`.
    private func groupIndex(at now: Date) async throws(LDAPError) -> LDAPGroupIndex {
        if let cached = state.withLock({ $0.groupIndex }),
           now.timeIntervalSince(cached.fetchedAt) < Double(settings.cacheTTLSeconds) {
            return cached.index
        }
        guard let groups = settings.groups else { return LDAPGroupIndex() }
        // With memberOf the tree is read from the groups' own memberOf (small); without it,
        // from their member lists.
        let attributes = ["cn", groups.memberOfAttribute ?? groups.membershipAttribute.rawValue]
        let entries = try await search(base: groups.baseDN, scope: .sub, filter: LDAPFilter.normalized(groups.filter),
                                       attributes: attributes)
        let index = LDAPGroupIndex(entries: entries, settings: groups)
        state.withLock { $0.groupIndex = (index, now) }
        return index
    }

    private func makeAgent(_ entry: LDAPEntry, id: String, memberships: [LDAPGroupMembership], at now: Date) -> LDAPAgent {
        let users = settings.users
        // The id as the directory writes it when it is the one asked for (ids compare
        // case-insensitively in LDAP); never another entry's.
        let written = entry.values(users.idAttribute).first { $0.lowercased() == id.lowercased() } ?? id
        var groups: [String] = []
        var seen: Set<String> = []
        var roles: [String] = []
        for membership in memberships {
            for name in [membership.dn, membership.name] where seen.insert(name.lowercased()).inserted {
                groups.append(name)
            }
            if let level = TrustLevel(role: membership.name.lowercased()), !roles.contains(level.role) {
                roles.append(level.role)
            }
        }
        let principal = Principal(id: written, name: users.nameAttribute.flatMap { entry.value($0) },
                                  org: users.orgAttribute.flatMap { entry.value($0) }, roles: roles.sorted(),
                                  groups: groups, codeHash: users.codeHashAttribute.flatMap { entry.value($0) })
        return LDAPAgent(principal: principal, dn: entry.dn, memberships: memberships, fetchedAt: now)
    }

    // MARK: Explanation (`herald directory test`)

    /// Looks `id` up afresh, bypassing the cache, and says why it gets what it gets: the
    /// entry, whether `disabled_filter` matches it, and its groups with their paths.
    public func explain(id: String) async throws -> LDAPExplanation {
        let before = statistics.roundTrips.load(ordering: .relaxed)
        let now = clock.now()
        do {
            let entries = try await search(base: settings.users.baseDN, scope: scope(settings.users.scope),
                                           filter: userFilter(id: id, includeDisabled: true), attributes: userAttributes,
                                           paged: false)
            guard entries.count == 1, let entry = entries.first else {
                return LDAPExplanation(id: id, bindDN: settings.bindDN, entries: entries.count, dn: nil, disabled: false,
                                       agent: nil, roundTrips: statistics.roundTrips.load(ordering: .relaxed) - before)
            }
            var disabled = false
            if let filter = settings.users.disabledFilter {
                disabled = try await !search(base: entry.dn, scope: .base, filter: LDAPFilter.normalized(filter),
                                             attributes: [], paged: false).isEmpty
            }
            let memberships = try await groups(of: entry, id: id, at: now)
            let agent = makeAgent(entry, id: id, memberships: memberships, at: now)
            return LDAPExplanation(id: id, bindDN: settings.bindDN, entries: 1, dn: entry.dn, disabled: disabled,
                                   agent: agent, roundTrips: statistics.roundTrips.load(ordering: .relaxed) - before)
        } catch {
            throw HeraldError(error.isUnavailable ? .directoryUnavailable : .invalidConfiguration, error.description)
        }
    }

    // MARK: Sync mode

    /// Reads every enabled agent and every group (paged) and replaces the served copy.
    /// Concurrent calls share one run.
    @discardableResult
    public func sync() async throws -> LDAPSyncReport {
        let task: Task<LDAPSyncReport, any Error> = state.withLock { state in
            if let running = state.syncing { return running }
            let task = Task { try await self.runSync() }
            state.syncing = task
            return task
        }
        defer { state.withLock { if $0.syncing == task { $0.syncing = nil } } }
        return try await task.value
    }

    private func runSync() async throws -> LDAPSyncReport {
        let start = clock.now()
        let before = statistics.roundTrips.load(ordering: .relaxed)
        do {
            var filter = [LDAPFilter.normalized(settings.users.filter)]
            if let disabled = settings.users.disabledFilter { filter.append(LDAPFilter.not(LDAPFilter.normalized(disabled))) }
            let users = try await search(base: settings.users.baseDN, scope: scope(settings.users.scope),
                                         filter: LDAPFilter.and(filter), attributes: userAttributes)
            var index = LDAPGroupIndex()
            if let groups = settings.groups {
                var attributes = ["cn", groups.membershipAttribute.rawValue]
                if let memberOf = groups.memberOfAttribute { attributes.append(memberOf) }
                let entries = try await search(base: groups.baseDN, scope: .sub, filter: LDAPFilter.normalized(groups.filter),
                                               attributes: attributes)
                index = LDAPGroupIndex(entries: entries, settings: groups)
            }
            var agents: [String: LDAPAgent] = [:]
            for entry in users {
                guard let id = entry.value(settings.users.idAttribute) else { continue }
                var memberships: [LDAPGroupMembership] = []
                if let groups = settings.groups {
                    let direct: [String]
                    if let memberOf = groups.memberOfAttribute {
                        direct = entry.values(memberOf).filter { LDAPDN.isWithin($0, base: groups.baseDN) }
                    } else {
                        let key = groups.membershipAttribute == .memberUid ? id : LDAPDN.normalize(entry.dn)
                        direct = (index.groupsOfMember[key] ?? []).map { index.dn($0, fallback: $0) }
                    }
                    let nested = groups.nested && groups.membershipAttribute != .memberUid
                    memberships = index.memberships(direct: direct, nested: nested, maxDepth: groups.maxDepth)
                }
                agents[id] = makeAgent(entry, id: id, memberships: memberships, at: start)
            }
            let finished = clock.now()
            state.withLock { state in
                state.snapshot = Snapshot(agents: agents, syncedAt: finished)
                state.groupIndex = (index, finished)
            }
            saveCopy(agents, syncedAt: finished)
            let report = LDAPSyncReport(agents: agents.count, groups: index.count,
                                        roundTrips: statistics.roundTrips.load(ordering: .relaxed) - before,
                                        seconds: finished.timeIntervalSince(start))
            logger.info("LDAP directory synchronised", metadata: [
                "agents": "\(report.agents)", "groups": "\(report.groups)", "ldap.round_trips": "\(report.roundTrips)",
            ])
            return report
        } catch {
            logger.error("LDAP directory sync failed", metadata: ["ldap.error": "\(error)"])
            throw HeraldError(error.isUnavailable ? .directoryUnavailable : .invalidConfiguration, error.description)
        }
    }

    /// Sync mode: the copy, taken now if there is none yet. A copy older than `sync_period`
    /// plus `cache_ttl` (or `max_stale` with `serve_stale`) is not served: the server has been
    /// unreachable for too long.
    private func fromSnapshot(_ id: String) async throws -> LDAPAgent? {
        var snapshot = state.withLock { $0.snapshot }
        monitor.cacheLookup(hit: snapshot != nil)
        if snapshot == nil {
            try await sync()
            snapshot = state.withLock { $0.snapshot }
        }
        guard let snapshot else { throw HeraldError(.directoryUnavailable, "the LDAP directory has not been synchronised") }
        let grace = settings.onUnavailable == .serveStale ? settings.maxStaleSeconds : settings.cacheTTLSeconds
        let age = clock.now().timeIntervalSince(snapshot.syncedAt)
        guard age <= Double(settings.syncPeriodSeconds + grace) else {
            throw HeraldError(.directoryUnavailable, "the LDAP directory copy is \(Int(age))s old; the last syncs failed")
        }
        return snapshot.agents[id]
    }

    /// When the served copy was taken (`mode: sync`); nil before the first sync.
    var snapshotTime: Date? { state.withLock { $0.snapshot?.syncedAt } }

    /// True when there is no copy yet or it is at least `sync_period` old.
    public var isSyncDue: Bool {
        guard let syncedAt = state.withLock({ $0.snapshot?.syncedAt }) else { return true }
        return clock.now().timeIntervalSince(syncedAt) >= Double(settings.syncPeriodSeconds)
    }
}

/// An agent as the LDAP directory resolved it.
public struct LDAPAgent: Sendable, Hashable, Codable {
    public let principal: Principal
    /// The entry's DN (what `ldap_bind` binds as).
    public let dn: String
    /// Every group, with the path through nested groups.
    public let memberships: [LDAPGroupMembership]
    /// When it was read from the server.
    public let fetchedAt: Date
}

/// What ``LDAPDirectory/explain(id:)`` found.
public struct LDAPExplanation: Sendable, Hashable {
    public let id: String
    /// The service account the search bound as (nil: anonymous); the bind worked.
    public let bindDN: String?
    /// How many entries the id matched (1 is the only usable answer).
    public let entries: Int
    public let dn: String?
    /// `disabled_filter` matches the entry: no token.
    public let disabled: Bool
    public let agent: LDAPAgent?
    /// Round trips the explanation cost.
    public let roundTrips: Int
}

/// What one ``LDAPDirectory/sync()`` read.
public struct LDAPSyncReport: Sendable, Hashable {
    public let agents: Int
    public let groups: Int
    public let roundTrips: Int
    public let seconds: Double
}

extension Error {
    /// True for an ``LDAPError`` meaning the server is unreachable (retry later).
    var isUnavailable: Bool { (self as? LDAPError)?.isUnavailable ?? false }
}
