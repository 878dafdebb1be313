import Foundation
import HeraldTesting
import Testing
@testable import herald

/// `herald federation peer …` and `herald federation key …` against a live server built
/// in-process.
@Suite("herald federation peer and key verbs end to end")
struct FederationPeerE2ETests {
    static let realm = """
        realm: lab
        token: {lifetime: 300s, algorithms: [ES256]}
        keys: {rotation_period: 30d, publish_ahead: 10m}
        clients:
          - {client_id: pay-bot, subject: agent-pay, auth: client_secret_basic, secret: "\(RealmFixtures.botSecret)"}
        directory:
          static:
            agents:
              - {id: agent-pay, name: Pay Bot, org: finance, roles: [mcps-l2]}
        """

    /// Nothing listens on the discard port: every fetch of this peer fails at once.
    static let unreachable = "http://127.0.0.1:9/realms/x"
    static let pin = String(repeating: "A", count: 43)

    /// A live server over the lab realm, and a CLI logged in to it with HERALD_REALM=lab.
    private func withLoggedIn(_ body: @escaping @Sendable (CLIHarness, String) async throws -> Void) async throws {
        let server = try await TestServer.start(realms: ["lab.yaml": Self.realm], clock: ManualClock(Date()))
        defer { server.directory.remove() }
        try await AdminE2ETests.live(server) { url in
            let cli = try CLIHarness(environment: ["HERALD_SERVER": url, "HERALD_REALM": "lab"])
            defer { cli.directory.remove() }
            let login = await cli.run(["login", "--credentials", AdminE2ETests.credentials(server)])
            #expect(login.status == 0, "\(login)")
            try await body(cli, url)
        }
    }

    private func json(_ result: CLIResult) throws -> JSONValue {
        try JSONValue(parsing: Data(result.output.utf8))
    }

    @Test("key show prints the 43-character pin; key rotate makes the announced next key the pin")
    func keys() async throws {
        try await withLoggedIn { cli, _ in
            let shown = await cli.run(["federation", "key", "show", "--output", "json"])
            #expect(shown.status == 0, "\(shown)")
            let before = try json(shown)
            let pin = try #require(before["pin"]?.string)
            #expect(pin.count == 43 && pin.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(before["entity"] == "https://herald.test/realms/lab")
            #expect(FederationKeyView.kid(before, "current") == pin)
            let next = try #require(FederationKeyView.kid(before, "next"))
            #expect(next != pin && next.count == 43)

            let table = await cli.run(["federation", "key", "show"])
            #expect(table.status == 0, "\(table)")
            #expect(table.output.squeezed.contains("pin \(pin)"), "\(table.output)")
            #expect(table.output.squeezed.contains("\(next) next"))
            #expect(table.output.contains("--entity https://herald.test/realms/lab --pin \(pin)"))

            let rotated = await cli.run(["federation", "key", "rotate"])
            #expect(rotated.status == 0, "\(rotated)")
            #expect(rotated.output.hasPrefix("rotated: pin now \(next); next key "), "\(rotated.output)")
            let after = try json(await cli.run(["federation", "key", "show", "--output", "json"]))
            #expect(after["pin"]?.string == next)
            let announced = try #require(FederationKeyView.kid(after, "next"))
            #expect(announced != pin && announced != next)
            #expect(!(after["federation_keys"]?.array ?? []).contains { $0["kid"]?.string == pin })
        }
    }

    @Test("peer add of an unreachable entity: added (exit 0) with status unreachable; refresh exits 2 with the reason")
    func unreachablePeer() async throws {
        try await withLoggedIn { cli, url in
            let added = await cli.run(["federation", "peer", "add", "--entity", Self.unreachable, "--pin", Self.pin,
                                       "--max-level", "l2", "--refresh", "5m", "--max-staleness", "1h"])
            #expect(added.status == 0, "\(added)")
            #expect(added.output.hasPrefix("added peer peer-"), "\(added.output)")
            #expect(added.output.contains("(\(Self.unreachable)) is unreachable: GET \(Self.unreachable)/federation/bundle"))
            #expect(added.output.squeezed.contains("max_level L2"))

            let listed = await cli.run(["federation", "peer", "list", "--output", "json"])
            #expect(listed.status == 0, "\(listed)")
            let peers = try json(listed)["peers"]?.array ?? []
            #expect(peers.count == 1)
            let peer = try #require(peers.first)
            let id = try #require(peer["id"]?.string)
            #expect(id.hasPrefix("peer-") && id.count == 15)
            #expect(peer["status"] == "unreachable" && peer["entity"]?.string == Self.unreachable)
            #expect(peer["refresh"] == "5m" && peer["max_staleness"] == "1h" && peer["pin"]?.string == Self.pin)
            #expect(peer["failures"]?.int == 1 && peer["last_success"] == .null)

            let table = await cli.run(["federation", "peer", "list"])
            #expect(table.output.hasPrefix("ID "), "\(table)")
            #expect(table.output.squeezed.contains("\(id) \(Self.unreachable) unreachable L2"))
            #expect(table.output.contains("active 0, suspended 0, revoked 0"))

            for name in [id, Self.unreachable] {
                let shown = await cli.run(["federation", "peer", "show", name])
                #expect(shown.status == 0, "\(shown)")
                #expect(shown.output.hasPrefix("peer \(id) (\(Self.unreachable)) is unreachable: GET "), "\(shown.output)")
                for field in ["status unreachable", "agents active 0, suspended 0, revoked 0", "failures 1", "next_refresh 20"] {
                    #expect(shown.output.squeezed.contains(field), "\(field) in \(shown.output)")
                }
                let value = try json(await cli.run(["federation", "peer", "show", name, "--output", "json"]))
                #expect(value["id"]?.string == id)
            }

            let refreshed = await cli.run(["federation", "peer", "refresh", Self.unreachable])
            #expect(refreshed.status == 2, "\(refreshed)")
            #expect(refreshed.errors.hasPrefix("herald: refresh failed: peer \(id) (\(Self.unreachable)) is unreachable: GET "),
                    "\(refreshed.errors)")
            #expect(!refreshed.errors.trimmingCharacters(in: .newlines).contains("\n"))
            #expect(refreshed.output.squeezed.contains("failures 2"))

            let twice = await cli.run(["federation", "peer", "add", "--entity", Self.unreachable, "--pin", Self.pin,
                                       "--max-level", "L1"])
            #expect(twice.status == 2, "\(twice)")
            #expect(twice.errors.contains("is already a peer") && twice.errors.contains("(409 conflict)"), "\(twice.errors)")

            let removed = await cli.run(["federation", "peer", "rm", Self.unreachable])
            #expect(removed.status == 0 && removed.output == "removed peer \(id) (\(Self.unreachable))", "\(removed)")
            #expect(try json(await cli.run(["federation", "peer", "list", "--output", "json"]))["peers"] == .array([]))
            #expect(await cli.run(["federation", "peer", "list"]).output.hasPrefix("no federation peers"))
            let gone = await cli.run(["federation", "peer", "show", id])
            #expect(gone.status == 2 && gone.errors.contains("(404 ") && gone.errors.contains("peer list"), "\(gone)")
            let goneByEntity = await cli.run(["federation", "peer", "rm", Self.unreachable])
            #expect(goneByEntity.status == 2 && goneByEntity.errors.contains("has no federation peer"), "\(goneByEntity)")

            // A peer whose bundle endpoint answers 404 at once (this server has no realm nowhere):
            // unreachable too, without the connection attempts to port 9.
            let missing = url + "/realms/nowhere"
            let second = await cli.run(["federation", "peer", "add", "--entity", missing, "--pin", Self.pin,
                                        "--max-level", "L1", "--output", "json"])
            #expect(second.status == 0, "\(second)")
            let secondID = try #require(try json(second)["id"]?.string)
            #expect(try json(second)["status"] == "unreachable")
            let asJSON = await cli.run(["federation", "peer", "refresh", secondID, "--output", "json"])
            #expect(asJSON.status == 2, "\(asJSON)")
            #expect(asJSON.errors.contains("is unreachable: GET \(missing)/federation/bundle: HTTP 404"), "\(asJSON.errors)")
            #expect(try json(asJSON)["failures"]?.int == 2)
            let byID = await cli.run(["federation", "peer", "rm", secondID])
            #expect(byID.status == 0 && byID.output == "removed peer \(secondID)", "\(byID)")
        }
    }

    @Test("bad values: the server's loader message exits 2; bad command lines exit 1 before any request")
    func badValues() async throws {
        try await withLoggedIn { cli, _ in
            let badPin = await cli.run(["federation", "peer", "add", "--entity", Self.unreachable, "--pin", "not-a-pin",
                                        "--max-level", "L2"])
            #expect(badPin.status == 2, "\(badPin)")
            #expect(badPin.errors.contains("pin") && badPin.errors.contains("43 base64url characters"), "\(badPin.errors)")
            #expect(!badPin.errors.trimmingCharacters(in: .newlines).contains("\n"))

            let badDuration = await cli.run(["federation", "peer", "add", "--entity", Self.unreachable, "--pin", Self.pin,
                                             "--max-level", "L2", "--refresh", "1s"])
            #expect(badDuration.status == 2 && badDuration.errors.contains("refresh"), "\(badDuration)")
            let none = try json(await cli.run(["federation", "peer", "list", "--output", "json"]))
            #expect(none["peers"] == .array([]))

            for arguments in [["--entity", "globex", "--pin", Self.pin, "--max-level", "L2"],
                              ["--entity", Self.unreachable + "/", "--pin", Self.pin, "--max-level", "L2"],
                              ["--entity", Self.unreachable, "--pin", Self.pin, "--max-level", "L9"]] {
                let usage = await cli.run(["federation", "peer", "add"] + arguments)
                #expect(usage.status == 1, "\(arguments): \(usage)")
            }
            #expect(await cli.run(["federation", "peer", "show", "a b"]).status == 1)
        }
    }
}

extension String {
    /// Runs of spaces as one, so that table rows can be matched whatever the column widths.
    fileprivate var squeezed: String { replacing(/\ +/, with: " ") }
}
