import Foundation
import HeraldTesting
import Testing
@testable import herald

/// `herald directory test|sync` against a live server whose realm reads a real slapd.
@Suite("herald directory end to end")
struct DirectoryE2ETests {
    @Test("directory test explains a nested L4 agent, a disabled one and an unknown id; directory sync reports counts")
    func explain() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await TestServer.start(realms: ["corp.yaml": LDAPFixtures.realm(fixture)])
            defer { server.directory.remove() }
            try await AdminE2ETests.live(server) { url in
                let cli = try CLIHarness(environment: ["HERALD_SERVER": url, "HERALD_REALM": "corp"])
                defer { cli.directory.remove() }
                let login = await cli.run(["login", "--credentials", AdminE2ETests.credentials(server)])
                #expect(login.status == 0, "\(login)")

                let deep = await cli.run(["directory", "test", "--agent", "agent-deep"])
                #expect(deep.status == 0, "\(deep)")
                #expect(deep.output.contains("bind:      success as \(SlapdFixture.bindDN)"), "\(deep)")
                #expect(deep.output.contains("entry:     \(SlapdFixture.agentDN("agent-deep"))"))
                #expect(deep.output.contains("via team-c → team-b → team-a → mcps-l4"), "\(deep)")
                #expect(deep.output.contains("level:     L4"))
                #expect(deep.output.contains("\"trust_level\":4"))

                let mapped = await cli.run(["directory", "test", "--agent", "agent-mapped"])
                #expect(mapped.output.contains("mapping:   cn=treasury,ou=groups,dc=acme,dc=test → mcps-l4"), "\(mapped)")

                let disabled = await cli.run(["directory", "test", "--agent", "agent-disabled"])
                #expect(disabled.output.contains("DISABLED") && disabled.output.contains("token:     denied"), "\(disabled)")

                let unknown = await cli.run(["directory", "test", "--agent", "*)(uid=*"])
                #expect(unknown.status == 0 && unknown.output.contains("no entry for *)(uid=*"), "\(unknown)")

                let json = await cli.run(["directory", "test", "--agent", "agent-l3", "--output", "json"])
                let object = try JSONValue(parsing: Data(json.output.utf8))
                #expect(object["trust_level"]?.string == "L3")

                let sync = await cli.run(["directory", "sync"])
                #expect(sync.status == 0 && sync.output.contains("synchronised 7 agents"), "\(sync)")

                try await fixture.stop()
                let down = await cli.run(["directory", "test", "--agent", "agent-l3"])
                #expect(down.status == 2 && down.errors.contains("temporarily_unavailable"), "\(down)")

                let none = await cli.run(["directory", "test", "--realm", "master", "--agent", "x"])
                #expect(none.status == 2 && none.errors.contains("no LDAP directory"), "\(none)")
            }
        }
    }
}
