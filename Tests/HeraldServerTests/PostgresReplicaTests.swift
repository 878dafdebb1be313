import Foundation
import HeraldCore
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Two whole Herald servers (issue 14's replicas) on one PostgreSQL database, each running its
/// background services (`.live`): a kill made through A is refused by B, a key prepared
/// through A is in B's JWKS, both through the shared change feed and no reload by hand.
///
/// The database is a fresh one on `HERALD_TEST_POSTGRES_URL` (or `scripts/postgres.sh start`),
/// made and dropped with psql.
@Suite("Replicas on one PostgreSQL database", .serialized)
struct PostgresReplicaTests {
    /// How long a change may take to reach the other replica before the test fails: far above
    /// the milliseconds a NOTIFY takes, so a loaded CI machine does not fail it.
    static let deadline: Duration = .seconds(15)

    @Test("a kill through replica A is refused by replica B on its next request; a key prepared on A is in B's JWKS")
    func killAndKeyReachReplicaB() async throws {
        try await ReplicaDatabase.with { url in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            for (name, contents) in Lifecycle.realm(Lifecycle.tools) { _ = try directory.write("realms/\(name)", contents) }
            let a = try await Self.replica(directory, url), b = try await Self.replica(directory, url)
            try await a.application.test(.live) { onA in
                try await b.application.test(.live) { onB in
                    #expect(try await Lifecycle.tokenReply(onB).status == 200)
                    let admin = try await Self.adminToken(onA, directory)
                    let killed = try await onA.call(.post, "/admin/realms/test/agents/agent-two/kill", token: admin,
                                                    body: #"{"reason":"replica test"}"#)
                    #expect(killed.status == 200)
                    let started = ContinuousClock.now
                    var refused = false
                    while !refused, ContinuousClock.now - started < Self.deadline {
                        refused = try await Lifecycle.tokenReply(onB).status == 400
                        if !refused { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    #expect(refused, "B refuses the agent A killed")
                    print("replica B refused the killed agent \(ContinuousClock.now - started) after A answered the kill")

                    let before = try await Self.kids(onB)
                    let prepared = try await onA.call(.post, "/admin/realms/test/keys", token: admin, body: "{}")
                    #expect(prepared.status == 201 || prepared.status == 200)
                    let keyStart = ContinuousClock.now
                    var published = false
                    while !published, ContinuousClock.now - keyStart < Self.deadline {
                        published = try await Self.kids(onB).count > before.count
                        if !published { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    #expect(published, "B's JWKS shows the key A prepared")
                    #expect(try await Self.kids(onB) == Self.kids(onA), "both replicas publish the same keys")
                    print("replica B published the key A prepared \(ContinuousClock.now - keyStart) after A answered")
                }
            }
        }
    }

    static func replica(_ directory: TemporaryDirectory, _ url: String) async throws -> Herald {
        var configuration = ServerConfiguration(realmsDirectory: directory.file("realms"),
                                                dataDirectory: directory.file("data"), host: "127.0.0.1", port: 0,
                                                publicURL: "https://herald.test")
        configuration.store = try StoreLocation(parsing: url)
        var logger = Logger(label: "herald.test.replica")
        logger.logLevel = .error
        return try await buildHerald(configuration: configuration, clock: SystemClock(), logger: logger)
    }

    static func adminToken(_ client: any TestClientProtocol, _ directory: TemporaryDirectory) async throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("data/admin-credentials")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
        return try await AdminTestClient.token(client, clientID: object["client_id"] ?? "",
                                               secret: object["client_secret"] ?? "")
    }

    static func kids(_ client: any TestClientProtocol) async throws -> Set<String> {
        let reply = try await client.call(.get, "/realms/test/protocol/openid-connect/certs", token: nil)
        let keys = reply.object["keys"] as? [[String: Any]] ?? []
        return Set(keys.compactMap { $0["kid"] as? String })
    }
}

/// A fresh database on the test cluster, made and dropped with psql (this target does not
/// link PostgresNIO).
enum ReplicaDatabase {
    static var serverURL: String {
        get throws {
            if let url = ProcessInfo.processInfo.environment["HERALD_TEST_POSTGRES_URL"], !url.isEmpty { return url }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path
            return try run(script, ["start"])
        }
    }

    static func with(_ body: (String) async throws -> Void) async throws {
        let server = try serverURL
        let name = "herald_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try run(try psql, [server, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard var components = URLComponents(string: server) else { throw Failure(description: "bad test URL") }
        components.path = "/" + name
        do { try await body(components.string!) } catch {
            _ = try? run(try psql, [server, "-X", "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
            throw error
        }
        _ = try run(try psql, [server, "-X", "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static var psql: String {
        get throws {
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
            for version in versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedDescending }) {
                let path = "/usr/lib/postgresql/\(version)/bin/psql"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            throw Failure(description: "no psql under /usr/lib/postgresql/*/bin: run scripts/install-deps.sh --test")
        }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) failed: \(String(decoding: complaint, as: UTF8.self))")
        }
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
