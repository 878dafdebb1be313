import Foundation
import HeraldCore
@testable import HeraldServer
import HeraldTesting
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Observability: request ids, access log, readiness, metrics")
struct ObservabilityTests {
    /// The lines an access log sink received.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func server(_ format: AccessLogFormat, lines: Lines) async throws -> (Herald, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        try directory.write("realms/test.yaml", RealmFixtures.testRealm())
        var configuration = ServerConfiguration(realmsDirectory: directory.file("realms"),
                                                dataDirectory: directory.file("data"), host: "127.0.0.1", port: 0,
                                                publicURL: "https://herald.test")
        configuration.accessLog = format
        var logger = Logger(label: "herald.test")
        logger.logLevel = .error
        let herald = try await buildHerald(configuration: configuration, clock: ManualClock(), logger: logger,
                                           accessLogSink: { lines.append($0) })
        return (herald, directory)
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("an incoming request id is kept only when short and of safe characters")
    func requestIDs() {
        for kept in ["req-123", "4bf92f3577b34da6a3ce929d0e0e4736", "00-4bf92f35-01", "a:b@c/d+e=f_g.h",
                     String(repeating: "a", count: 128)] {
            #expect(RequestID.resolve(kept) == kept)
        }
        for replaced in ["", "two words", #"x" injected=1"#, "line\nbreak", "é", String(repeating: "a", count: 129), "a\\b"] {
            let id = RequestID.resolve(replaced)
            #expect(id != replaced)
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        }
        #expect(RequestID.resolve(nil) != RequestID.resolve(nil))
    }

    @Test("access log lines: text values quoted and escaped, JSON parses, RFC 3339 UTC time")
    func lines() throws {
        let entry = AccessLogEntry(time: Date(timeIntervalSince1970: 1_796_275_069.25), requestID: "r-1", remote: "10.0.0.5",
                                   method: "GET", path: "/a b\"\n", status: 404, bytes: nil,
                                   duration: .microseconds(1500), realm: nil, clientID: "bot")
        let text = try #require(entry.line(.text))
        #expect(text == #"2026-12-03T05:17:49.250Z access request_id=r-1 remote=10.0.0.5 method=GET path="/a b\"\u{a}" status=404 bytes=- duration_ms=1.500 realm=- client_id=bot"# + "\n")
        let json = Self.object(try #require(entry.line(.json)))
        #expect(json["path"] as? String == "/a b\"\n")
        #expect(json["status"] as? Int == 404 && json["bytes"] is NSNull && json["realm"] is NSNull)
        #expect(json["request_id"] as? String == "r-1" && json["client_id"] as? String == "bot")
        #expect(entry.line(.off) == nil)
    }

    @Test("X-Request-Id is returned, given or generated, and the access log line carries it without the query")
    func accessLog() async throws {
        let lines = Lines()
        let (herald, directory) = try await Self.server(.json, lines: lines)
        defer { directory.remove() }
        try await herald.application.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "given-1"]) { response in
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "given-1")
            }
            let form = ByteBuffer(string: "grant_type=client_credentials")
            let auth = "Basic " + Data("zero-bot:\(RealmFixtures.botSecret)".utf8).base64EncodedString()
            let generated = try await client.execute(
                uri: "/realms/test/protocol/openid-connect/token?client_secret=leak", method: .post,
                headers: [.authorization: auth, .contentType: "application/x-www-form-urlencoded"], body: form
            ) { response in
                #expect(response.status == .ok)
                return try #require(response.headers[HTTPField.Name("X-Request-Id")!])
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.count == 32)
            }
            let entries = lines.all.map(Self.object)
            #expect(entries.count == 3)
            #expect(entries.first?["request_id"] as? String == "given-1")
            let token = try #require(entries.first { $0["request_id"] as? String == generated })
            #expect(token["path"] as? String == "/realms/test/protocol/openid-connect/token")
            #expect(token["realm"] as? String == "test" && token["client_id"] as? String == "zero-bot")
            #expect(token["status"] as? Int == 200)
            #expect(!lines.all.joined().contains("leak") && !lines.all.joined().contains(RealmFixtures.botSecret))
        }
    }

    @Test("readiness names every check, and /metrics carries the readiness, audit and key gauges")
    func readiness() async throws {
        let (herald, directory) = try await Self.server(.off, lines: Lines())
        defer { directory.remove() }
        try await herald.application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = Self.object(String(buffer: response.body))
                #expect(body["status"] as? String == "ready")
                let checks = try #require(body["checks"] as? [String: [String: Any]])
                #expect(checks["store"]?["status"] as? String == "ok")
                #expect(checks["audit"]?["status"] as? String == "ok")
                let realm = try #require(checks["realm:test"])
                #expect((realm["keys"] as? [String: Any])?["status"] as? String == "ok" && realm["ldap"] == nil)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                for name in ["herald_ready 1", #"herald_readiness_check_up{check="store"} 1"#, "herald_audit_queue_depth 0",
                             "herald_audit_write_errors_total 0", #"herald_signing_key_age_seconds{realm="test""#,
                             #"herald_signing_key_next_rotation_seconds{realm="test""#] {
                    #expect(text.contains(name), "\(name)")
                }
            }
        }
    }

    @Test("gate tool labels are bounded by the realm's tools")
    func toolLabels() throws {
        var config = RealmConfig(name: "t")
        config.tools = ["payments-mcp/charge": .l3, "files-mcp/*": .l1]
        #expect(MCPGateEndpoint<HeraldRequestContext>.toolLabel("payments-mcp/charge", in: config) == "payments-mcp/charge")
        #expect(MCPGateEndpoint<HeraldRequestContext>.toolLabel("files-mcp/read", in: config) == "files-mcp/*")
        #expect(MCPGateEndpoint<HeraldRequestContext>.toolLabel("random-\(UUID())", in: config) == "other")
    }

    @Test("a probe is shared while it runs, cached for its ttl, and never waited on past its timeout")
    func probeCache() async throws {
        let calls = Atomic<Int>(0)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let cache = ProbeCache(ttl: .seconds(60), timeout: .milliseconds(50))
        // A probe that hangs until released: the caller gets a timeout, not a wait.
        let hung = await cache.outcome {
            calls.add(1, ordering: .relaxed)
            for await _ in release { break }
        }
        #expect(hung.error?.contains("no answer") == true)
        let joined = await cache.outcome { calls.add(1, ordering: .relaxed) }  // joins the running probe
        #expect(joined.error != nil && calls.load(ordering: .relaxed) == 1)
        releaser.yield()
        releaser.finish()
        var cached = await cache.outcome { calls.add(1, ordering: .relaxed) }
        while cached.error != nil {  // until the released probe has stored its result
            try await Task.sleep(for: .milliseconds(10))
            cached = await cache.outcome { calls.add(1, ordering: .relaxed) }
        }
        #expect(calls.load(ordering: .relaxed) == 1)  // its result, cached: no second probe
    }
}
