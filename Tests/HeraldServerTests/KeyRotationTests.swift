import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldServices
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Key rotation")
struct KeyRotationTests {
    /// Rotation every hour, new keys published 10 minutes ahead, tokens live 5 minutes.
    static let realm = RealmFixtures.testRealm(tokenLifetime: "300s", publishAhead: "10m", rotation: "1h")

    static func publishedKids(_ server: TestServer) -> [String] {
        server.herald.registry.runtime(named: "test")!.keyRing.published.keys.map(\.kid)
    }

    static func token(_ app: Herald.App) async throws -> String {
        try await app.test(.router) { client in
            let credentials = Data("zero-bot:\(RealmFixtures.botSecret)".utf8).base64EncodedString()
            return try await client.execute(uri: "/realms/test/protocol/openid-connect/token", method: .post,
                                            headers: [.contentType: "application/x-www-form-urlencoded",
                                                      .authorization: "Basic \(credentials)"],
                                            body: ByteBuffer(string: "grant_type=client_credentials")) { response in
                #expect(response.status == .ok)
                let reply = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                return reply?["access_token"] as? String ?? ""
            }
        }
    }

    static func kid(of token: String) -> String { JWTParts.header(token)["kid"] as? String ?? "" }

    @Test("the next key is published before it signs; a retired key stays until its tokens expire")
    func slots() async throws {
        let server = try await TestServer.start(realms: ["test.yaml": Self.realm])
        defer { server.directory.remove() }
        let app = server.herald.application
        let first = try #require(Self.publishedKids(server).first)
        #expect(Self.publishedKids(server) == [first])
        #expect(Self.kid(of: try await Self.token(app)) == first)

        // Just before publish-ahead: nothing changes.
        server.clock.advance(by: 3600 - 600 - 1)
        await server.herald.keyService.tick()
        #expect(Self.publishedKids(server) == [first])

        // Publish-ahead reached: the next key is in the JWKS, but the old one still signs.
        server.clock.advance(by: 1)
        await server.herald.keyService.tick()
        let published = Self.publishedKids(server)
        #expect(published.count == 2)
        let next = try #require(published.first { $0 != first })
        let signedBefore = try await Self.token(app)
        #expect(Self.kid(of: signedBefore) == first)
        // The JWKS cache lifetime never exceeds how long a key is published before it signs.
        #expect(server.herald.registry.runtime(named: "test")!.jwksMaxAge <= 600)

        // Rotation due: the next key signs, the old one stays published.
        server.clock.advance(by: 600)
        await server.herald.keyService.tick()
        #expect(Set(Self.publishedKids(server)) == [first, next])
        let signedAfter = try await Self.token(app)
        #expect(Self.kid(of: signedAfter) == next)
        let keys = server.herald.registry.runtime(named: "test")!.keyRing.published.keys
        _ = try UnverifiedJWS(compact: signedBefore).verify(with: keys)

        // Until every token the old key signed has expired (lifetime + skew), it stays.
        server.clock.advance(by: 300)
        await server.herald.keyService.tick()
        #expect(Set(Self.publishedKids(server)) == [first, next])
        server.clock.advance(by: KeySchedule.clockSkew)
        await server.herald.keyService.tick()
        #expect(Self.publishedKids(server) == [next])
        let stored = try await server.herald.store.keys(realm: "test")
        #expect(stored.first { $0.kid == first }?.state == .revoked)
        #expect(stored.first { $0.kid == first }?.sealedPrivateKey.isEmpty == true)
    }

    @Test("keys survive a restart and are never on disk in clear")
    func restartAndAtRest() async throws {
        let clock = ManualClock()
        let server = try await TestServer.start(realms: ["test.yaml": Self.realm], clock: clock)
        defer { server.directory.remove() }
        let kids = Self.publishedKids(server)
        let token = try await Self.token(server.herald.application)

        let again = try await TestServer.start(realms: [:], directory: server.directory, clock: clock)
        #expect(Self.publishedKids(again) == kids)
        let keys = again.herald.registry.runtime(named: "test")!.keyRing.published.keys
        _ = try UnverifiedJWS(compact: token).verify(with: keys)
        #expect(Self.kid(of: try await Self.token(again.herald.application)) == kids.first)

        // Open the stored key with the master key, then look for its private bytes in every
        // file of the data directory, raw and as the JWK `d` member would write them.
        let master = try MasterKey.load(path: server.configuration.resolvedMasterKeyFile)
        let stored = try #require(try await again.herald.store.keys(realm: "test").first)
        let privateKey = try master.keySealer.open(stored.sealedPrivateKey, realm: "test", kid: stored.kid)
        #expect(privateKey.count == 32)
        let encoded = Array(Base64URL.encode(privateKey).utf8)
        let dataDirectory = server.configuration.dataDirectory
        var scanned = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dataDirectory) where name.hasPrefix("herald.sqlite") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(dataDirectory)/\(name)")))
            scanned += bytes.count
            #expect(!Self.contains(bytes, privateKey), "private key in clear in \(name)")
            #expect(!Self.contains(bytes, encoded), "base64url private key in \(name)")
        }
        #expect(scanned > 0)
        #expect(Self.contains(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dataDirectory)/herald.sqlite-wal")))
                              + Array(try Data(contentsOf: URL(fileURLWithPath: "\(dataDirectory)/herald.sqlite"))),
                              Array(stored.kid.utf8)), "the scan must see the key rows it checks")
    }

    @Test("an operator rotation with --now switches at once; a new algorithm gets its own key")
    func manualRotation() async throws {
        let server = try await TestServer.start(realms: ["test.yaml": Self.realm])
        defer { server.directory.remove() }
        let runtime = server.herald.registry.runtime(named: "test")!
        let first = Self.publishedKids(server)[0]
        try await server.herald.keyManager.change(runtime.config, ring: runtime.keyRing) { schedule, keys, now in
            try schedule.rotate(&keys, algorithm: .es256, immediately: false, now: now)
        }
        #expect(Self.publishedKids(server).count == 2)
        #expect(Self.kid(of: try await Self.token(server.herald.application)) == first)
        try await server.herald.keyManager.change(runtime.config, ring: runtime.keyRing) { schedule, keys, now in
            try schedule.rotate(&keys, algorithm: .es256, immediately: true, now: now)
        }
        #expect(Self.kid(of: try await Self.token(server.herald.application)) != first)
        #expect(Self.publishedKids(server).contains(first))

        var both = runtime.config
        both.algorithms = [.es256, .edDSA]
        try await server.herald.keyManager.synchronize(both, ring: runtime.keyRing)
        #expect(Set(runtime.keyRing.published.keys.map(\.algorithm)) == [.es256, .edDSA])
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle
        }
    }
}
