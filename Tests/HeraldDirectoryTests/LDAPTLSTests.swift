import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Testing

@Suite("LDAP over TLS against slapd")
struct LDAPTLSTests {
    @Test("StartTLS and ldaps:// with the test's CA; a wrong CA is a clear error and no principal")
    func tls() async throws {
        try await SlapdFixture.with(tls: true, seed: LDAPSeed.ldif) { fixture in
            let caFile = try #require(fixture.caFile)
            let ldaps = try #require(fixture.ldapsURL)
            let startTLS = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, startTLS: true, caFile: caFile))
            defer { startTLS.shutdown() }
            #expect(LDAPSeed.level(try await startTLS.principal(id: "agent-l3")) == .l3)
            #expect(try await startTLS.checkPassword(LDAPSeed.password, agentID: "agent-l3"))
            let overLDAPS = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, url: ldaps, caFile: caFile))
            defer { overLDAPS.shutdown() }
            #expect(LDAPSeed.level(try await overLDAPS.principal(id: "agent-deep")) == .l4)

            let other = try Self.otherCA(in: fixture.directory)
            for settings in [LDAPSeed.settings(fixture, startTLS: true, caFile: other),
                             LDAPSeed.settings(fixture, url: ldaps, caFile: other)] {
                let wrong = try LDAPSeed.directory(fixture, settings: settings)
                defer { wrong.shutdown() }
                do {
                    _ = try await wrong.principal(id: "agent-l3")
                    Issue.record("a server certificate from another CA was accepted (\(settings.url))")
                } catch let error as HeraldError {
                    #expect(error.code == .directoryUnavailable)
                    #expect(error.message.contains("TLS"), "\(error.message)")
                    #expect(error.message.contains("certificate"), "\(error.message)")
                }
            }
        }
    }

    /// A CA that did not sign the server's certificate.
    static func otherCA(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("other-ca.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Other CA",
                             "-keyout", directory.file("other-ca.key"), "-out", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return path
    }
}
