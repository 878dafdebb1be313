import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldServices
import HeraldStore
import HeraldTesting
import Logging
import Testing

/// Bundles numbered through the ``FederationSequence`` seam: two federation services on one
/// store stand for two replicas, as a peer sees them when it fetches from either.
@Suite("Federation bundle sequence across replicas")
struct FederationSequenceTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A federation service for realm acme of `store`, its bundles numbered by `sequences`.
    static func replica(_ store: SQLiteStore, _ clock: ManualClock, _ sequences: any FederationSequence) async throws
        -> (FederationService, RealmRuntime)
    {
        let master = try MasterKey(bytes: Array(repeating: 7, count: 32))
        let registry = RealmRegistry(defaultRealm: nil)
        let runtime = try RealmRuntime(config: RealmConfig(name: "acme"), publicURL: "https://herald.test",
                                       keyRing: KeyRing(realm: "acme"))
        registry.install(runtime)
        let service = FederationService(
            keys: FederationKeys(store: store, sealer: master.keySealer, clock: clock, audit: nil, logger: quiet),
            peerStore: store, registry: registry, book: LifecycleBook(), clock: clock, logger: quiet,
            http: FederationService.httpClient, sequences: sequences)
        try await service.load(realm: "acme")
        return (service, runtime)
    }

    static func sequence(_ bundle: String) -> Int64? { (JWTParts.claims(bundle)["sequence"] as? NSNumber)?.int64Value }

    @Test("bundles from two replicas sharing the sequence strictly increase; each its own would repeat one")
    func sharedSequenceIncreases() async throws {
        let store = try SQLiteStore()
        try await store.save(RealmConfig(name: "acme"))
        let clock = ManualClock()  // the time stands still: only the sequence moves it on
        let shared = LocalFederationSequence()
        let (a, realmA) = try await Self.replica(store, clock, shared)
        let (b, realmB) = try await Self.replica(store, clock, shared)
        var seen: [Int64] = []
        for (service, realm) in [(a, realmA), (b, realmB), (a, realmA), (b, realmB)] {
            seen.append(try #require(Self.sequence(try await service.bundle(realm, since: nil))))
        }
        #expect(seen.first == Int64(clock.now().timeIntervalSince1970 * 1000), "the first is the time in ms")
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 }, "\(seen)")

        let (c, realmC) = try await Self.replica(store, clock, LocalFederationSequence())
        let own = try #require(Self.sequence(try await c.bundle(realmC, since: nil)))
        #expect(own <= seen.last!, "a replica with its own counter goes back: a peer would refuse it as a replay")
    }

    @Test("a sequence that cannot be allocated signs no bundle (503)")
    func unreachableSequenceFailsClosed() async throws {
        let store = try SQLiteStore()
        try await store.save(RealmConfig(name: "acme"))
        let (service, realm) = try await Self.replica(store, ManualClock(), UnreachableSharedState<Never>())
        do {
            _ = try await service.bundle(realm, since: nil)
            Issue.record("a bundle was signed without a sequence from the shared counter")
        } catch let error as ServiceError {
            #expect(error.code == .temporarilyUnavailable)
        }
    }
}
