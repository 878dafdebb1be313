import Foundation
import HeraldCore
import HeraldJOSE
import Testing
@testable import HeraldFederation

@Suite("Peer view: applying full and delta bundles, staleness")
struct PeerViewTests {
    let fixture = FederationFixture()
    typealias F = FederationFixture

    /// Verifies `bundle` against `anchor` and applies it to `view`, advancing the anchor.
    func accept(_ bundle: TrustBundle, into view: inout PeerView, anchor: inout PeerAnchor,
                now: Date = F.now) throws {
        let verified = try F.verify(try fixture.signed(bundle), anchor: anchor, now: now)
        try view.apply(verified)
        anchor = verified.updatedAnchor
    }

    @Test("a full bundle fills the view; the next full bundle replaces it")
    func full() throws {
        var view = PeerView(entity: F.entity)
        var anchor = fixture.anchor
        #expect(view.stale(now: F.now, maxStaleness: 1e9))
        try accept(fixture.bundle(sequence: 1), into: &view, anchor: &anchor)
        #expect(view.sequence == 1 && view.agents.count == 3 && view.lastGood == F.now)
        #expect(view.agent("ledger-bot")?.trustLevel == .l3)
        #expect(view.issuerKeys == [fixture.issuerKey.publicKey] && view.refreshHint == 300)
        #expect(view.countsByStatus == [.active: 2, .suspended: 1])

        try accept(fixture.bundle(sequence: 2, agents: [F.agent("ledger-bot", level: .l1)]), into: &view, anchor: &anchor)
        #expect(view.agents.count == 1 && view.agent("billing-bot") == nil && view.agent("ledger-bot")?.trustLevel == .l1)
    }

    @Test("a delta overwrites changed agents and drops removed ones; a delta on another base is refused, view unchanged")
    func delta() throws {
        var view = PeerView(entity: F.entity)
        var anchor = fixture.anchor
        try accept(fixture.bundle(sequence: 4), into: &view, anchor: &anchor)

        var delta = fixture.bundle(sequence: 5, agents: [F.agent("billing-bot", status: .revoked), F.agent("new-bot")])
        delta.since = 4
        delta.removed = ["rogue-bot"]
        try accept(delta, into: &view, anchor: &anchor)
        #expect(view.sequence == 5)
        #expect(Set(view.agents.keys) == ["billing-bot", "ledger-bot", "new-bot"])
        #expect(view.agent("billing-bot")?.status == .revoked)

        // A delta relative to 4 again: the verifier refuses it, and so does the view.
        var stale = fixture.bundle(sequence: 6, agents: [F.agent("ledger-bot", level: .l4)])
        stale.since = 4
        #expect(F.rejection { _ = try F.verify(try! fixture.signed(stale), anchor: anchor) }?.code == .deltaBaseMismatch)
        var lenient = anchor
        lenient.lastSequence = 4
        let verified = try F.verify(try fixture.signed(stale), anchor: lenient)
        let before = view
        let error = F.rejection { try view.apply(verified) }
        #expect(error?.code == .deltaBaseMismatch)
        #expect(error?.message == "delta bundle 6 is relative to sequence 4, but the view holds 5; fetch a full bundle")
        #expect(view == before)

        // An empty view cannot take a delta at all.
        var empty = PeerView(entity: F.entity)
        #expect(F.rejection { try empty.apply(verified) }?.code == .deltaBaseMismatch)
    }

    @Test("the view refuses bundles from another entity or not newer than what it holds")
    func guards() throws {
        var view = PeerView(entity: F.entity)
        var anchor = fixture.anchor
        try accept(fixture.bundle(sequence: 3), into: &view, anchor: &anchor)
        let old = try F.verify(try fixture.signed(fixture.bundle(sequence: 2)), anchor: fixture.anchor)
        #expect(F.rejection { try view.apply(old) }?.code == .replayed)
        var other = PeerView(entity: "https://acme.example/realms/acme")
        #expect(F.rejection { try other.apply(old) }?.code == .issuerMismatch)
    }

    @Test("staleness: the last good bundle holds until max_staleness, then the peer's agents fall to L0")
    func staleness() throws {
        var view = PeerView(entity: F.entity)
        var anchor = fixture.anchor
        try accept(fixture.bundle(sequence: 1), into: &view, anchor: &anchor)
        let maxStaleness: TimeInterval = 600
        #expect(!view.stale(now: F.now.addingTimeInterval(600), maxStaleness: maxStaleness))
        #expect(view.stale(now: F.now.addingTimeInterval(601), maxStaleness: maxStaleness))

        #expect(view.effectiveLevel(of: "ledger-bot", cap: .l2, now: F.now, maxStaleness: maxStaleness) == .l2)
        #expect(view.effectiveLevel(of: "ledger-bot", cap: .l4, now: F.now, maxStaleness: maxStaleness) == .l3)
        #expect(view.effectiveLevel(of: "rogue-bot", cap: .l4, now: F.now, maxStaleness: maxStaleness) == .l0)
        #expect(view.effectiveLevel(of: "ledger-bot", cap: .l4, now: F.now.addingTimeInterval(601),
                                    maxStaleness: maxStaleness) == .l0)
        #expect(view.effectiveLevel(of: "nobody", cap: .l4, now: F.now, maxStaleness: maxStaleness) == nil)

        // Recovery: a fresh bundle later makes it current again.
        let later = F.now.addingTimeInterval(900)
        var fresh = fixture.bundle(sequence: 2)
        fresh.exp = later.addingTimeInterval(3600)
        try accept(fresh, into: &view, anchor: &anchor, now: later)
        #expect(!view.stale(now: later, maxStaleness: maxStaleness) && view.lastGood == later)
    }

    @Test("a view survives storage (Codable)")
    func codable() throws {
        var view = PeerView(entity: F.entity)
        var anchor = fixture.anchor
        try accept(fixture.bundle(sequence: 1), into: &view, anchor: &anchor)
        let restored = try JSONDecoder().decode(PeerView.self, from: JSONEncoder().encode(view))
        #expect(restored == view)
        let agent = try JSONDecoder().decode(BundleAgent.self, from: Data(
            #"{"sub":"a","trust_level":3,"trust_score":5,"pipeline_stage":"TESTING","status":"suspended","updated_at":7}"#.utf8))
        #expect(agent.trustLevel == .l3 && agent.status == .suspended && agent.updatedAt.timeIntervalSince1970 == 7)
    }
}
