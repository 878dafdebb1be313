import Foundation
import HeraldCore
import HeraldJOSE
import Testing
@testable import HeraldFederation

@Suite("Delta bundles: the issuer's change log")
struct BundleDeltaTests {
    let fixture = FederationFixture()
    typealias F = FederationFixture

    @Test("a delta carries what changed after its base; applied to the base it gives the full state")
    func equivalence() throws {
        var log = BundleDelta()
        let v1 = [F.agent("a"), F.agent("b"), F.agent("c"), F.agent("d")]
        #expect(log.record(v1, sequence: 1) == 4)
        let v2 = [F.agent("a", level: .l3), F.agent("b"), F.agent("d"), F.agent("e")]  // a changed, c removed, e new
        #expect(log.record(v2, sequence: 2) == 3)
        let v3 = [F.agent("a", level: .l4), F.agent("b"), F.agent("c"), F.agent("e", status: .suspended)]  // c back, d gone
        #expect(log.record(v3, sequence: 3) == 4)
        #expect(log.sequence == 3 && log.oldestBase == 1)

        let changes2 = try #require(log.changes(since: 2))
        #expect(changes2.agents.map(\.sub) == ["a", "c", "e"] && changes2.removed == ["d"])
        let changes1 = try #require(log.changes(since: 1))
        #expect(changes1.agents.map(\.sub) == ["a", "c", "e"] && changes1.removed == ["d"])
        #expect(log.changes(since: 3)?.agents.isEmpty == true)
        #expect(log.changes(since: 0) == nil && log.changes(since: 4) == nil)

        // Peer at 1 applies the delta 1→3 and ends at the full state of 3.
        var view = PeerView(entity: F.entity)
        let full1 = try F.verify(try fixture.signed(fixture.bundle(sequence: 1, agents: v1)), anchor: fixture.anchor)
        try view.apply(full1)
        let full3 = fixture.bundle(sequence: 3, agents: v3)
        let delta = try #require(log.delta(of: full3, since: 1))
        #expect(delta.since == 1 && delta.sequence == 3 && delta.removed == ["d"])
        let verified = try F.verify(try fixture.signed(delta), anchor: full1.updatedAnchor)
        try view.apply(verified)
        #expect(view.agents == Dictionary(uniqueKeysWithValues: v3.map { ($0.sub, $0) }))

        #expect(log.delta(of: fixture.bundle(sequence: 2, agents: v2), since: 1) == nil)  // not the last recorded list
        #expect(log.delta(of: delta, since: 1) == nil)  // not a full bundle
    }

    @Test("a sequence that goes back restarts the log; prune drops old bases")
    func restartAndPrune() {
        var log = BundleDelta()
        log.record([F.agent("a")], sequence: 5)
        log.record([F.agent("b")], sequence: 6)
        log.record([F.agent("b")], sequence: 7)
        #expect(log.changes(since: 5)?.removed == ["a"])
        log.prune(before: 6)
        #expect(log.oldestBase == 6 && log.changes(since: 5) == nil && log.changes(since: 6)?.removed == [])
        log.record([F.agent("c")], sequence: 3)
        #expect(log.sequence == 3 && log.oldestBase == 3 && log.changes(since: 6) == nil)
    }

    @Test("the stateless form filters by changedAt and lists removals not present")
    func stateless() {
        let full = fixture.bundle(sequence: 9, agents: [F.agent("a"), F.agent("b"), F.agent("c")])
        let delta = BundleDelta.delta(of: full, changedAt: ["a": 3, "b": 8], removedAt: ["x": 7, "y": 2, "c": 9],
                                      since: 5)
        #expect(delta.agents.map(\.sub) == ["b", "c"] && delta.removed == ["x"] && delta.since == 5)
    }
}
