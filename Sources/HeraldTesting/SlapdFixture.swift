import Foundation

/// A real OpenLDAP server for a test, started by `scripts/slapd-fixture.sh` on 127.0.0.1 on a
/// free port (mdb, memberof overlay, size limit 500, paged searches unlimited). Suffix
/// `dc=acme,dc=test` with `ou=agents`, `ou=groups` and the service account
/// ``bindDN``. Tests that need it start it; when slapd is missing they fail saying so.
public final class SlapdFixture: Sendable {
    public static let suffix = "dc=acme,dc=test"
    public static let bindDN = "uid=herald,ou=services,dc=acme,dc=test"
    public static let agentsDN = "ou=agents,dc=acme,dc=test"
    public static let groupsDN = "ou=groups,dc=acme,dc=test"
    /// The server's size limit for searches without paging.
    public static let sizeLimit = 500

    public let directory: TemporaryDirectory
    /// `ldap://127.0.0.1:PORT`.
    public let url: String
    /// `ldaps://127.0.0.1:PORT` when started with TLS.
    public let ldapsURL: String?
    /// The PEM of the CA that signed the server's certificate (with TLS).
    public let caFile: String?
    /// File holding the service account's password.
    public let bindPasswordFile: String
    public let bindPassword: String

    /// The repository's `scripts/slapd-fixture.sh`.
    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/slapd-fixture.sh").path
    }

    private init(directory: TemporaryDirectory) throws {
        self.directory = directory
        url = try String(contentsOfFile: directory.file("url"), encoding: .utf8)
        ldapsURL = try? String(contentsOfFile: directory.file("ldaps-url"), encoding: .utf8)
        caFile = FileManager.default.fileExists(atPath: directory.file("ca.pem")) ? directory.file("ca.pem") : nil
        bindPasswordFile = directory.file("bind-password")
        bindPassword = try String(contentsOfFile: bindPasswordFile, encoding: .utf8)
    }

    /// Starts a fresh server, optionally with TLS (StartTLS and ldaps://) and seed LDIF
    /// (added with ldapadd, so the memberof overlay sees it: users before groups).
    public static func start(tls: Bool = false, seed: String? = nil) async throws -> SlapdFixture {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/slapd")
            || FileManager.default.isExecutableFile(atPath: "/usr/bin/slapd")
        else {
            throw FixtureError("slapd is not installed: run scripts/install-deps.sh --test (apt-get install slapd ldap-utils)")
        }
        let directory = try TemporaryDirectory("herald-slapd")
        var arguments = ["start", directory.path]
        if tls { arguments.append("--tls") }
        if let seed {
            arguments += ["--seed", try directory.write("seed.ldif", seed)]
        }
        try await run(arguments)
        return try SlapdFixture(directory: directory)
    }

    /// Runs `body` with a fresh server and removes the server afterwards, whatever happens.
    public static func with<T: Sendable>(tls: Bool = false, seed: String? = nil,
                                         _ body: (SlapdFixture) async throws -> T) async throws -> T {
        let fixture = try await start(tls: tls, seed: seed)
        do {
            let value = try await body(fixture)
            await fixture.remove()
            return value
        } catch {
            await fixture.remove()
            throw error
        }
    }

    /// Stops the server (its data stays, for ``restart()``).
    public func stop() async throws { try await Self.run(["stop", directory.path]) }

    /// Starts the stopped server again, same port and data.
    public func restart() async throws { try await Self.run(["start", directory.path]) }

    /// ldapadd as the root DN.
    public func add(_ ldif: String) async throws {
        try await Self.run(["add", directory.path, directory.write("add-\(UUID().uuidString).ldif", ldif)])
    }

    /// ldapmodify as the root DN.
    public func modify(_ ldif: String) async throws {
        try await Self.run(["modify", directory.path, directory.write("modify-\(UUID().uuidString).ldif", ldif)])
    }

    /// Stops the server and deletes its directory.
    public func remove() async {
        try? await stop()
        directory.remove()
    }

    /// LDIF for an agent entry under ``agentsDN``.
    public static func agentLDIF(_ id: String, password: String? = nil, extra: [String] = []) -> String {
        var lines = ["dn: uid=\(id),\(agentsDN)", "objectClass: inetOrgPerson", "uid: \(id)", "cn: \(id)", "sn: agent"]
        if let password { lines.append("userPassword: \(password)") }
        return (lines + extra).joined(separator: "\n") + "\n\n"
    }

    /// LDIF for a groupOfNames under ``groupsDN`` whose members are the given DNs.
    public static func groupLDIF(_ name: String, members: [String]) -> String {
        (["dn: cn=\(name),\(groupsDN)", "objectClass: groupOfNames", "cn: \(name)"] + members.map { "member: \($0)" })
            .joined(separator: "\n") + "\n\n"
    }

    public static func agentDN(_ id: String) -> String { "uid=\(id),\(agentsDN)" }
    public static func groupDN(_ name: String) -> String { "cn=\(name),\(groupsDN)" }

    private static func run(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw FixtureError("slapd-fixture.sh \(arguments.first ?? "") failed (\(status)): \(text)")
        }
    }

    public struct FixtureError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
