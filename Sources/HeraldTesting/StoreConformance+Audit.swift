import Crypto
import Foundation
import HeraldCore
import HeraldStore
import Testing

extension StoreConformance {
    /// The audit log of a store (``Store/makeAuditLog(settings:logger:)``) as ``AuditLog``
    /// requires: gap-free chains per realm, hashes anyone can recompute, queries, signed
    /// checkpoints, the stored form for the offline verifier, and a shutdown that loses nothing.
    public static func auditLog(_ store: some Store) async throws {
        let log = store.makeAuditLog(settings: AuditWriterSettings(maxPending: 16, maxBatch: 4), logger: nil)
        let signer = AuditFixtures.CheckpointSigner()
        #expect(try await log.entries(AuditQuery(realm: "acme")).isEmpty)
        #expect(try await log.checkpoint(realm: "acme", at: AuditFixtures.start, sign: signer.sign) == nil)
        #expect(try await store.storedEntries(realm: "acme", after: 0, limit: 10).isEmpty)

        // Appending: concurrently, so batches form; every realm its own chain.
        var events = (0..<30).map { AuditFixtures.event($0, realm: $0 % 3 == 0 ? "beta" : "acme") }
        events[1].time += 0.000_4 // stored in whole milliseconds: the entry returned says so too
        let recorded = try await withThrowingTaskGroup(of: AuditEntry.self) { group in
            for event in events { group.addTask { try await log.record(event) } }
            return try await group.reduce(into: [AuditEntry]()) { $0.append($1) }
        }
        for realm in ["acme", "beta"] {
            let stored = try await log.entries(AuditQuery(realm: realm, limit: 1000))
            #expect(stored.map(\.sequence) == Array(1...Int64(events.filter { $0.realm == realm }.count)))
            #expect(Set(stored) == Set(recorded.filter { $0.event.realm == realm }), "what record returned is what is stored")
            var previous = AuditEntry.genesisHash
            for entry in stored {
                #expect(entry.previousHash == previous)
                #expect(entry.hash == sha256Hex(AuditEntry.canonicalForm(sequence: entry.sequence, event: entry.event,
                                                                          previousHash: entry.previousHash)))
                previous = entry.hash
            }
        }
        let cut = try #require(recorded.first { $0.event.detail["jti"] == "jti-1" })
        #expect(cut.event.time == AuditFixtures.start + 1)

        try await checkQueries(log, realm: "acme")
        try await checkCheckpoints(log, store: store, signer: signer)

        // History outlives its realm.
        try await store.save(RealmConfig(name: "acme"))
        try await store.deleteRealm(named: "acme")
        #expect(try await log.entries(AuditQuery(realm: "acme", limit: 1000)).count == 21)

        // Shutdown: what was submitted is durable, then new events are refused.
        let late = Task { try await log.record(AuditFixtures.event(99, realm: "beta")) }
        _ = try await late.value
        await log.shutdown()
        #expect(log.health.closed)
        await #expect(throws: (any Error).self) { try await log.record(AuditFixtures.event(100, realm: "beta")) }
        #expect(try await store.storedEntries(realm: "beta", after: 0, limit: 1000).count == 11)
    }

    /// Every filter of ``AuditQuery`` gives exactly ``AuditQuery/matches(_:)``.
    private static func checkQueries(_ log: some AuditLog, realm: String) async throws {
        let all = try await log.entries(AuditQuery(realm: realm, limit: 1000))
        let start = AuditFixtures.start
        let queries = [
            AuditQuery(realm: realm, type: "token.issued"), AuditQuery(realm: realm, type: "token.*"),
            AuditQuery(realm: realm, type: "token"), AuditQuery(realm: realm, type: "tok.*"),
            AuditQuery(realm: realm, type: "*"), AuditQuery(realm: realm, agent: "agent-1"),
            AuditQuery(realm: realm, client: "bot-2"), AuditQuery(realm: realm, agent: "agent-1", client: "bot-2"),
            AuditQuery(realm: realm, from: start + 4, to: start + 10), AuditQuery(realm: realm, from: start + 10),
            AuditQuery(realm: realm, to: start + 4), AuditQuery(realm: realm, after: 5),
            AuditQuery(realm: realm, after: 5, limit: 3), AuditQuery(realm: realm, type: "token.denied", limit: 2),
            AuditQuery(realm: realm, limit: 0), AuditQuery(realm: realm, limit: -5),
            AuditQuery(realm: "nobody"),
        ]
        for query in queries {
            let expected = Array(all.filter(query.matches).prefix(query.effectiveLimit))
            #expect(try await log.entries(query) == expected, "\(query)")
        }
        #expect(try await log.entries(AuditQuery(realm: realm, type: "token.*")).count == all.count)
        #expect(try await log.entries(AuditQuery(realm: realm, limit: 0)).count == 1)
        #expect(try await log.entries(AuditQuery(realm: realm, from: start + 4, to: start + 10)).allSatisfy {
            $0.event.time >= start + 4 && $0.event.time < start + 10
        })
        #expect(AuditQuery(realm: realm, limit: 1_000_000).effectiveLimit == AuditQuery.maxLimit)
    }

    private static func checkCheckpoints(_ log: some AuditLog, store: some Store,
                                         signer: AuditFixtures.CheckpointSigner) async throws {
        let head = try #require(try await log.entries(AuditQuery(realm: "acme", limit: 1000)).last)
        // A signer that fails appends nothing.
        await #expect(throws: (any Error).self) {
            try await log.checkpoint(realm: "acme", at: AuditFixtures.start + 100) { _ in throw RefusedEdit() }
        }
        #expect(try await log.entries(AuditQuery(realm: "acme", after: head.sequence)).isEmpty)

        let time = AuditFixtures.start + 100
        let entry = try #require(try await log.checkpoint(realm: "acme", at: time) { payload in
            let checkpoint = try AuditCheckpoint(payload: payload)
            #expect(checkpoint.realm == "acme" && checkpoint.seq == head.sequence + 1)
            #expect(checkpoint.timeMilliseconds == AuditQuery.milliseconds(time))
            return try signer.sign(payload)
        })
        #expect(entry.sequence == head.sequence + 1 && entry.previousHash == head.hash)
        #expect(entry.event.type == AuditCheckpoint.entryType && entry.event.actor == "system")
        #expect(entry.event.detail == ["through_seq": String(head.sequence), "through_hash": head.hash])
        // Nothing new since: nothing to seal.
        #expect(try await log.checkpoint(realm: "acme", at: time + 1, sign: signer.sign) == nil)

        let stored = try await store.storedCheckpoints(realm: "acme")
        #expect(stored.map(\.sequence) == [entry.sequence] && stored.first?.hash == entry.hash)
        let payload = try signer.verify(try #require(stored.first?.jws))
        #expect(try AuditCheckpoint(payload: payload) == AuditCheckpoint(
            realm: "acme", seq: entry.sequence, hash: entry.hash, timeMilliseconds: AuditQuery.milliseconds(time)))
        #expect(try await store.storedCheckpoints(realm: "beta").isEmpty)

        // The stored form, paged, is the chain; the offline verifier accepts it.
        let first = try await store.storedEntries(realm: "acme", after: 0, limit: 5)
        let rest = try await store.storedEntries(realm: "acme", after: 5, limit: 1000)
        #expect((first + rest).map(\.sequence) == Array(1...entry.sequence))
        #expect(first.first == .entry(try #require(try await log.entries(AuditQuery(realm: "acme", limit: 1)).first)))
        let report = try await AuditVerifier.verify(store, realm: "acme", verifyCheckpoint: signer.verify)
        #expect(report.isValid && report.entriesChecked == Int(entry.sequence) && report.checkpointsChecked == 1,
                "\(report)")
    }

    private static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
