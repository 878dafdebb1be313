import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldServer
@testable import HeraldServices
import HeraldTesting
import Testing

/// The verified-client cache of `client_secret_basic`: a hit only for the very header a realm
/// runtime verified, never across a secret rotation, a client's removal or any realm change.
@Suite("Verified client cache")
struct VerifiedClientCacheTests {
    static let hasher = try! MasterKey(bytes: Array(repeating: 7, count: 32)).secretHasher

    static func authenticator() -> ClientAuthenticator {
        let clock = ManualClock()
        return ClientAuthenticator(hasher: hasher, replayCache: ReplayCache(), clock: clock,
                                   limiter: AuthenticationLimiter(clock: clock, audit: nil, metrics: nil))
    }

    /// Realm acme with `clients` (id → secret, all `client_secret_basic`, each acting as agent-<id>).
    static func realm(_ clients: [String: String], auth: ClientAuthMethod = .clientSecretBasic,
                      lifetime: Int = 300) throws -> RealmRuntime {
        let config = RealmConfig(
            name: "acme", tokenLifetimeSeconds: lifetime,
            clients: clients.map { Client(clientID: $0.key, subject: "agent-\($0.key)", auth: auth,
                                          secretDigest: hasher.digest($0.value)) },
            agents: clients.keys.map { Principal(id: "agent-\($0)") })
        return try RealmRuntime(config: config, publicURL: "https://herald.test", keyRing: KeyRing(realm: "acme"))
    }

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func authenticate(_ authenticator: ClientAuthenticator, _ header: String, _ realm: RealmRuntime)
        async -> Result<String, ServiceError>
    {
        do {
            let profile = try await authenticator.authenticateCaller(basic: header, realm: realm, peer: nil, headers: [:])
            return .success(profile.client.clientID)
        } catch { return .failure(error) }
    }

    @Test("a verified header is remembered for its realm runtime; a wrong secret never is")
    func onlySuccesses() async throws {
        let authenticator = Self.authenticator(), realm = try Self.realm(["bot": "s3cret"])
        let wrong = await Self.authenticate(authenticator, Self.basic("bot", "guess"), realm)
        #expect(wrong.failureCode == .invalidClient)
        #expect(authenticator.verifiedClients.count == 0)
        let header = Self.basic("bot", "s3cret")
        #expect(try await Self.authenticate(authenticator, header, realm).get() == "bot")
        #expect(authenticator.verifiedClients.profile(header: header, realm: realm)?.client.clientID == "bot")
        #expect(try await Self.authenticate(authenticator, header, realm).get() == "bot", "a hit authenticates")
        // The same client with a header that differs in one byte is checked in full (and fails).
        #expect(authenticator.verifiedClients.profile(header: header + "x", realm: realm) == nil)
    }

    @Test("after a secret rotation the old header is refused and the new one verified afresh")
    func secretRotation() async throws {
        let authenticator = Self.authenticator()
        let old = Self.basic("bot", "first"), new = Self.basic("bot", "second")
        let before = try Self.realm(["bot": "first"])
        #expect(try await Self.authenticate(authenticator, old, before).get() == "bot")
        let rotated = try Self.realm(["bot": "second"])
        #expect(authenticator.verifiedClients.profile(header: old, realm: rotated) == nil)
        #expect(await Self.authenticate(authenticator, old, rotated).failureCode == .invalidClient)
        #expect(try await Self.authenticate(authenticator, new, rotated).get() == "bot")
    }

    @Test("after the client is removed its header is refused")
    func clientRemoved() async throws {
        let authenticator = Self.authenticator(), header = Self.basic("bot", "s3cret")
        #expect(try await Self.authenticate(authenticator, header, try Self.realm(["bot": "s3cret", "other": "x"])).get()
                    == "bot")
        let without = try Self.realm(["other": "x"])
        #expect(authenticator.verifiedClients.profile(header: header, realm: without) == nil)
        #expect(await Self.authenticate(authenticator, header, without).failureCode == .invalidClient)
    }

    @Test("any realm change (here the token lifetime) makes every entry miss; the secret is checked again")
    func anyRealmChange() async throws {
        let authenticator = Self.authenticator(), header = Self.basic("bot", "s3cret")
        let first = try Self.realm(["bot": "s3cret"])
        #expect(try await Self.authenticate(authenticator, header, first).get() == "bot")
        let changed = try Self.realm(["bot": "s3cret"], lifetime: 600)
        #expect(authenticator.verifiedClients.profile(header: header, realm: changed) == nil)
        #expect(authenticator.verifiedClients.profile(header: header, realm: first) == nil,
                "a miss on a newer runtime drops the entry")
        #expect(try await Self.authenticate(authenticator, header, changed).get() == "bot")
        #expect(authenticator.verifiedClients.profile(header: header, realm: changed) != nil)
    }

    @Test("a client_secret_post client is never remembered; the cache is bounded")
    func postAndBound() async throws {
        let authenticator = Self.authenticator()
        let post = try Self.realm(["poster": "p"], auth: .clientSecretPost)
        #expect(try await Self.authenticate(authenticator, Self.basic("poster", "p"), post).get() == "poster")
        #expect(authenticator.verifiedClients.count == 0)
        let cache = VerifiedClientCache(limit: 2), realm = try Self.realm(["a": "1", "b": "2", "c": "3"])
        for id in ["a", "b", "c"] {
            cache.remember(header: Self.basic(id, "x"), profile: try #require(realm.profile(clientID: id)), realm: realm)
        }
        #expect(cache.count <= 2)
        #expect(cache.profile(header: Self.basic("c", "x"), realm: realm) != nil, "the newest entry is kept")
    }

    @Test("a lockout still refuses a remembered header")
    func lockoutStillApplies() async throws {
        let clock = ManualClock()
        let limiter = AuthenticationLimiter(clock: clock, audit: nil, metrics: nil)
        let authenticator = ClientAuthenticator(hasher: Self.hasher, replayCache: ReplayCache(), clock: clock,
                                                limiter: limiter)
        let realm = try Self.realm(["bot": "s3cret"]), header = Self.basic("bot", "s3cret")
        #expect(try await Self.authenticate(authenticator, header, realm).get() == "bot")
        var refused: ServiceError?
        for _ in 0..<200 {
            if case .failure(let error) = await Self.authenticate(authenticator, Self.basic("bot", "guess"), realm),
               error.code != .invalidClient { refused = error; break }
        }
        #expect(refused != nil, "the failures lock the client out")
        #expect(await Self.authenticate(authenticator, header, realm).failureCode != nil,
                "during the lockout the remembered header is refused too")
    }
}

extension Result where Failure == ServiceError {
    fileprivate var failureCode: ServiceError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
