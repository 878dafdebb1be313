import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldServer
import HeraldTesting
import HeraldVerifier
import Hummingbird
import NIOCore
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The verifier against the real issuer: a Herald started in the test on a loopback port
/// (its public URL that port, so the issuer, JWKS and status list URLs its tokens carry are
/// fetchable), a client_credentials token, and the kill switch showing in the status list.
/// The library itself never links HeraldServer; only this test does.
@Suite("HeraldTokenVerifier against a running Herald")
struct HeraldEndToEndTests {
    /// A port free right now (bound, read, released).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Reply {
        let status: Int
        let object: [String: Any]
        var accessToken: String { object["access_token"] as? String ?? "" }
    }

    static func post(_ url: String, form: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code),
                     object: (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:])
    }

    static func token(_ base: String, realm: String, basic: String) async throws -> String {
        try await post(base + "/realms/\(realm)/protocol/openid-connect/token", form: "grant_type=client_credentials",
                       headers: [("Authorization", "Basic " + Data(basic.utf8).base64EncodedString())]).accessToken
    }

    static func waitUntilUp(_ url: String) async throws {
        for _ in 0..<100 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1)),
               response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw POSIXError(.ETIMEDOUT)
    }

    @Test("a token Herald issues verifies with the realm JWKS and status list fetched from Herald; a kill shows")
    func realIssuer() async throws {
        let port = try Self.freePort()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("realms/test.yaml", RealmFixtures.testRealm())
        let base = "http://127.0.0.1:\(port)"
        var logger = Logger(label: "herald.test")
        logger.logLevel = .error
        let herald = try await buildHerald(
            configuration: ServerConfiguration(realmsDirectory: directory.file("realms"), dataDirectory: directory.file("data"),
                                               host: "127.0.0.1", port: port, publicURL: base),
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Run as `herald serve` does: HummingbirdTesting's live mode would move it to port 0.
            group.addTask { try await herald.application.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            try await Self.waitUntilUp(base + "/health/live")
            let issuer = base + "/realms/test"
            let zeroToken = try await Self.token(base, realm: "test", basic: "zero-bot:\(RealmFixtures.botSecret)")
            let twoToken = try await Self.post(base + "/realms/test/protocol/openid-connect/token",
                                               form: "grant_type=client_credentials&client_id=two-bot&client_secret=\(RealmFixtures.botSecret)")
                .accessToken
            let verifier = try HeraldTokenVerifier(configuration: .init(issuer: issuer, audience: issuer))
            let two = try await verifier.verify(twoToken, minimumLevel: .l2)
            #expect(two.subject == "agent-two" && two.clientID == "two-bot" && two.level == .l2)
            #expect(two.status?.uri == issuer + "/statuslists/1" && two.trust.pipelineStage != nil)
            let zero = try await verifier.verify(zeroToken)
            #expect(zero.subject == "agent-zero" && zero.level == .l0)
            do {
                _ = try await verifier.verify(zeroToken, minimumLevel: .l1)
                Issue.record("an L0 token passed an L1 minimum")
            } catch {
                #expect((error as? HeraldTokenVerificationError)?.code == .insufficientTrust)
            }

            // The kill switch, through the admin API: the next status list says SUSPENDED.
            let credentials = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory.file("data/admin-credentials")))) as? [String: String]
            let admin = try await Self.token(base, realm: "master",
                                             basic: "\(credentials?["client_id"] ?? ""):\(credentials?["client_secret"] ?? "")")
            var kill = HTTPClientRequest(url: base + "/admin/realms/test/agents/agent-two/kill")
            kill.method = .POST
            kill.headers.add(name: "Authorization", value: "Bearer \(admin)")
            kill.headers.add(name: "Content-Type", value: "application/json")
            kill.body = .bytes(ByteBuffer(string: #"{"reason":"end-to-end test"}"#))
            let killed = try await HTTPClient.shared.execute(kill, timeout: .seconds(10))
            #expect(killed.status == .ok)
            let fresh = try HeraldTokenVerifier(configuration: .init(issuer: issuer, audience: issuer))
            do {
                _ = try await fresh.verify(twoToken)
                Issue.record("a killed agent's token passed")
            } catch {
                #expect((error as? HeraldTokenVerificationError)?.code == .suspended, "\(error)")
            }
        }
    }
}
