import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE
import NIOCore

extension FederationService {
    /// The peers `realm`'s configuration lists.
    package func configuredPeers(realm: String) -> [FederationSettings.Peer] {
        registry.runtime(named: realm)?.config.federation?.peers ?? []
    }

    /// The configured peer whose entity id is `entity`.
    package func configuredPeer(realm: String, entity: String) -> FederationSettings.Peer? {
        configuredPeers(realm: realm).first { $0.entity == entity }
    }

    /// The peer's record: stored, or new; its pins always those of the configuration.
    package func record(realm: String, peer: FederationSettings.Peer) -> PeerRecord {
        var record = peers.withLock { $0[realm]?[peer.entity] }
            ?? PeerRecord(anchor: PeerAnchor(entity: peer.entity, pins: []), view: PeerView(entity: peer.entity),
                          status: PeerStatus())
        if record.anchor.pins != [peer.pin] {
            // A new pin is a new trust decision: forget keys learned under the old one.
            record.anchor = PeerAnchor(entity: peer.entity, pins: [peer.pin], announced: [],
                                       lastSequence: record.anchor.lastSequence)
        }
        return record
    }

    /// Every configured peer of `realm` with its record.
    package func peerRecords(realm: String) -> [(FederationSettings.Peer, PeerRecord)] {
        configuredPeers(realm: realm).map { ($0, record(realm: realm, peer: $0)) }
    }

    /// Fetches, verifies and applies the peer's bundle now. A refused or unreachable bundle
    /// leaves the last good one in force; the status says what happened.
    /// With `onlyIfDue`, nothing happens unless the peer is due when its turn comes (the
    /// refresh service, which must not repeat a refresh an operator just forced).
    @discardableResult
    package func refresh(realm: String, entity: String, onlyIfDue: Bool = false) async -> PeerStatus? {
        guard let peer = configuredPeer(realm: realm, entity: entity) else { return nil }
        return try? await refreshQueue.run { [self] in
            var record = record(realm: realm, peer: peer)
            let now = clock.now()
            if onlyIfDue, (record.status.nextRefresh ?? .distantPast) > now { return record.status }
            record.status.lastAttempt = now
            do {
                // A delta when the view is whole and current; a full bundle otherwise.
                var since = record.view.sequence.flatMap { $0 == record.anchor.lastSequence ? $0 : nil }
                var applied = false
                while !applied {
                    let compact = try await fetchBundle(entity: entity, since: since)
                    let verified = try BundleVerifier.verify(try UnverifiedBundle(compact: compact),
                                                             anchor: record.anchor, now: now)
                    var view = record.view
                    do { try view.apply(verified) } catch let rejection as BundleRejection where rejection.code == .deltaBaseMismatch && since != nil {
                        since = nil
                        continue
                    }
                    record.anchor = verified.updatedAnchor
                    record.view = view
                    applied = true
                }
                record.status = PeerStatus(state: .ok, lastAttempt: now, lastSuccess: now, failures: 0,
                                           nextRefresh: now + TimeInterval(peer.refreshSeconds ?? record.view.refreshHint ?? 300))
                logger.info("federation bundle accepted", metadata: [
                    "realm.id": "\(realm)", "peer.entity": "\(entity)",
                    "bundle.sequence": "\(record.view.sequence ?? 0)", "bundle.agents": "\(record.view.agents.count)"])
            } catch let rejection as BundleRejection {
                fail(&record, .rejected, code: rejection.code.description, reason: rejection.message, now: now, peer: peer, realm: realm)
            } catch let failure as FetchFailure {
                if failure.oversized {
                    fail(&record, .rejected, code: BundleRejection.Code.oversized.description, reason: failure.reason,
                         now: now, peer: peer, realm: realm)
                } else {
                    fail(&record, .unreachable, code: nil, reason: failure.reason, now: now, peer: peer, realm: realm)
                }
            } catch {
                fail(&record, .unreachable, code: nil, reason: "\(error)", now: now, peer: peer, realm: realm)
            }
            await save(realm: realm, record: record)
            return record.status
        }
    }

    private func fail(_ record: inout PeerRecord, _ state: PeerStatus.State, code: String?, reason: String, now: Date,
                      peer: FederationSettings.Peer, realm: String) {
        record.status.state = state
        record.status.code = code
        record.status.reason = reason
        record.status.failures += 1
        metrics?.federationRefused(realm: realm, peer: peer.entity, reason: code ?? state.rawValue)
        // Jittered exponential backoff from 5 s, never longer than the normal refresh period.
        let period = Double(peer.refreshSeconds ?? record.view.refreshHint ?? 300)
        let backoff = min(period, 5 * pow(2, Double(min(record.status.failures - 1, 16))))
        record.status.nextRefresh = now + backoff * Double.random(in: 0.8...1.2)
        logger.warning("federation bundle not accepted; the last good bundle stays", metadata: [
            "realm.id": "\(realm)", "peer.entity": "\(peer.entity)",
            "peer.status": "\(state.rawValue)", "reason": "\(reason)"])
    }

    package func save(realm: String, record: PeerRecord) async {
        peers.withLock { $0[realm, default: [:]][record.anchor.entity] = record }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            try await peerStore.savePeerState(realm: realm, entity: record.anchor.entity,
                                              state: Array(try encoder.encode(record)))
        } catch {
            logger.error("federation peer state not stored", metadata: ["peer.entity": "\(record.anchor.entity)",
                                                                        "error": "\(error)"])
        }
    }

    /// Why a bundle could not be fetched.
    package struct FetchFailure: Error {
        package let reason: String
        package var oversized = false
    }

    /// GET `{entity}/federation/bundle[?since=N]`, bounded in time and size.
    package func fetchBundle(entity: String, since: Int64?) async throws -> String {
        let url = "\(entity)/federation/bundle" + (since.map { "?since=\($0)" } ?? "")
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/trust-bundle+jwt, application/jwt")
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(10)) } catch {
            throw FetchFailure(reason: "GET \(url): \(error)")
        }
        guard response.status == .ok else { throw FetchFailure(reason: "GET \(url): HTTP \(response.status.code)") }
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: Self.maxBundleBytes) } catch {
            throw FetchFailure(reason: "GET \(url): the bundle exceeds \(Self.maxBundleBytes) bytes", oversized: true)
        }
        return String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The client peers are fetched with, for the life of the process (so it is never shut
    /// down under a refresh). No connection retries: a peer that refuses is reported at once
    /// and the refresh service's own backoff decides when to try again.
    package static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(3), read: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Largest bundle accepted from a peer (100 000 agents fit in about 15 MiB).
    package static var maxBundleBytes: Int { UnverifiedBundle.defaultMaxBytes }
}

extension FederationService {
    /// Keeps the refresh service away from a peer about to be added, whose first refresh the
    /// caller makes itself (so the two cannot both count a failure).
    package func reserve(realm: String, entity: String) {
        peers.withLock { peers in
            guard peers[realm]?[entity] == nil else { return }
            var status = PeerStatus()
            status.nextRefresh = .distantFuture
            peers[realm, default: [:]][entity] = PeerRecord(anchor: PeerAnchor(entity: entity, pins: []),
                                                            view: PeerView(entity: entity), status: status)
        }
    }

    /// Undoes ``reserve(realm:entity:)`` when the peer was not added after all.
    package func release(realm: String, entity: String) {
        peers.withLock { peers in
            guard let record = peers[realm]?[entity], record.status.nextRefresh == .distantFuture,
                  record.status.lastAttempt == nil else { return }
            peers[realm]?.removeValue(forKey: entity)
        }
    }

    /// Drops what was kept about a peer that is no longer configured.
    package func forget(realm: String, entity: String) async throws {
        peers.withLock { _ = $0[realm]?.removeValue(forKey: entity) }
        try await peerStore.deletePeerState(realm: realm, entity: entity)
    }
}
