import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE
import Logging
import Synchronization

/// Federation for every realm (wire-formats §7): publishes this realm's entity statement and
/// signed trust bundles, keeps each peer's last good bundle, refreshes peers, and answers
/// whether a peer's agent is trusted here and at which level.
package final class FederationService: Sendable {
    package let keys: FederationKeys
    package let peerStore: any FederationPeerRepository
    package let registry: RealmRegistry
    package let book: LifecycleBook
    package let clock: any HeraldClock
    package let logger: Logger
    package let http: HTTPClient
    /// Counts refused and failed refreshes (`herald_federation_refusals_total`).
    package let metrics: (any ServiceMetrics)?
    /// Stands in for "last changed" of agents with no lifecycle record yet, so that deltas
    /// do not carry them on every bundle.
    package let startedAt: Date

    /// Per realm: its federation key ring and its delta log.
    package struct Publisher: Sendable {
        package let ring: KeyRing
        package var delta = BundleDelta()
    }

    package let publishers = Mutex<[String: Publisher]>([:])
    /// Realm → entity → peer.
    package let peers = Mutex<[String: [String: PeerRecord]]>([:])
    /// Refreshes run one at a time, so a forced refresh and a scheduled one cannot interleave.
    package let refreshQueue = ChangeQueue()
    /// Numbers the bundles (in process, or shared by the replicas so peers see one sequence).
    package let sequences: any FederationSequence
    /// Bundles are numbered and recorded in the delta log one at a time, so the log sees
    /// sequences in increasing order (an older one would start it afresh).
    private let bundleQueue = ChangeQueue()

    package init(keys: FederationKeys, peerStore: any FederationPeerRepository, registry: RealmRegistry, book: LifecycleBook,
                 clock: any HeraldClock, logger: Logger, http: HTTPClient, metrics: (any ServiceMetrics)? = nil,
                sequences: any FederationSequence = LocalFederationSequence()) {
        self.metrics = metrics
        self.sequences = sequences
        self.keys = keys
        self.peerStore = peerStore
        self.registry = registry
        self.book = book
        self.clock = clock
        self.logger = logger
        self.http = http
        startedAt = Self.wholeSeconds(clock.now())
    }

    /// Loads the realm's federation keys and stored peer records.
    package func load(realm: String) async throws {
        let ring = try await keys.load(realm: realm)
        publishers.withLock { $0[realm] = Publisher(ring: ring) }
        var records: [String: PeerRecord] = [:]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        for (entity, data) in try await peerStore.peerStates(realm: realm) {
            do { records[entity] = try decoder.decode(PeerRecord.self, from: Data(data)) } catch {
                logger.warning("stored federation peer state does not decode; starting it afresh",
                               metadata: ["realm.id": "\(realm)", "peer.entity": "\(entity)", "error": "\(error)"])
            }
        }
        peers.withLock { $0[realm] = records }
    }

    package func ring(realm: String) -> KeyRing? { publishers.withLock { $0[realm]?.ring } }

    // MARK: - Publishing

    /// The signed entity statement of `realm`.
    package func entityStatement(_ realm: RealmRuntime) throws -> String {
        guard let ring = ring(realm: realm.name), let signer = ring.signer(for: .es256) else {
            throw ServiceError(.temporarilyUnavailable,
                               "the realm has no federation key yet; retry shortly")
        }
        let now = Self.wholeSeconds(clock.now())
        let lifetime = TimeInterval(realm.config.federation?.bundleLifetimeSeconds ?? 3600)
        let statement = EntityStatement(issuer: realm.issuer, iat: now, exp: now + lifetime,
                                        federationKeys: ring.published.keys, jwksURI: realm.jwksURI,
                                        bundleEndpoint: "\(realm.issuer)/federation/bundle")
        return try statement.signed(by: signer)
    }

    /// A freshly signed trust bundle of `realm`: full, or the delta since `since` when the
    /// delta log can answer for it. Every bundle has a new, strictly greater sequence.
    package func bundle(_ realm: RealmRuntime, since: Int64?) async throws -> String {
        guard let ring = ring(realm: realm.name), let signer = ring.signer(for: .es256) else {
            throw ServiceError(.temporarilyUnavailable,
                               "the realm has no federation key yet; retry shortly")
        }
        let bundle = try await bundleQueue.run { [self] in try await numberedBundle(realm, ring: ring, since: since) }
        return try bundle.signed(by: signer)
    }

    /// The next bundle of `realm`, unsigned, recorded in its delta log.
    private func numberedBundle(_ realm: RealmRuntime, ring: KeyRing, since: Int64?) async throws -> TrustBundle {
        let now = clock.now()
        let agents = bundleAgents(realm, now: now)
        let settings = realm.config.federation ?? FederationSettings()
        // Milliseconds since the epoch as the floor, so sequences increase across restarts too.
        let sequence: Int64
        do { sequence = try await sequences.next(realm: realm.name, atLeast: Int64(now.timeIntervalSince1970 * 1000)) }
        catch {
            throw ServiceError(.temporarilyUnavailable, "the bundle cannot be numbered now; retry shortly",
                               reason: "federation sequence: \(error)")
        }
        let iat = Self.wholeSeconds(now)
        let full = TrustBundle(iss: realm.issuer, iat: iat, exp: iat + TimeInterval(settings.bundleLifetimeSeconds),
                               sequence: sequence, refreshHint: settings.refreshHintSeconds,
                               issuerKeys: realm.keyRing.published.keys, federationKeys: ring.published.keys,
                               agents: agents)
        return publishers.withLock { publishers -> TrustBundle in
            // In place: a copy of the publisher would copy its delta log (every agent) per bundle.
            publishers[realm.name, default: Publisher(ring: ring)].delta.record(full)
            return since.flatMap { publishers[realm.name]?.delta.delta(of: full, since: $0) } ?? full
        }
    }

    /// Every agent this realm vouches for, as the bundle lists it.
    package func bundleAgents(_ realm: RealmRuntime, now: Date) -> [BundleAgent] {
        let state = book.book(realm: realm.name).state
        var agents: [BundleAgent] = []
        var seen = Set<String>()
        func add(_ principal: Principal, directoryLevel: TrustLevel) {
            guard seen.insert(principal.id).inserted else { return }
            let record = state.agents[principal.id]
                ?? AgentLifecycle(agentID: principal.id, codeHash: principal.codeHash, org: principal.org,
                                  registeredAt: startedAt, statusIndex: -1)
            let orgName = principal.org ?? record.org
            let orgKill = orgName.flatMap { name in state.orgKills[name].map { (org: name, kill: $0) } }
            let decision = TrustDecision(directoryLevel: directoryLevel, lifecycle: record, orgKill: orgKill,
                                         policy: realm.config.trustPolicy, levels: realm.levelTable, now: now)
            let status: BundleAgent.Status = switch decision.refusal {
            case nil: .active
            case .stage(.revoked): .revoked
            default: .suspended
            }
            // The last time anything about the agent's standing changed, so that deltas
            // carry an agent only when it changed.
            let changes = [record.registeredAt, record.gates.last?.at, record.kill?.at, orgKill?.kill.at].compactMap { $0 }
            agents.append(BundleAgent(sub: principal.id, trustLevel: decision.level, trustScore: decision.score,
                                      pipelineStage: decision.stage.rawValue, status: status,
                                      updatedAt: changes.max() ?? now))
        }
        for principal in realm.config.agents {
            add(principal, directoryLevel: RoleMapper.level(of: realm.mapper.effectiveRoles(of: principal)))
        }
        // Agents known only from their lifecycle (a directory-backed realm): the level the
        // directory last gave is not kept, so they are vouched for at L0 until looked up.
        for record in state.agents.values where !seen.contains(record.agentID) {
            add(Principal(id: record.agentID, org: record.org, codeHash: record.codeHash), directoryLevel: .l0)
        }
        return agents
    }

    package static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
