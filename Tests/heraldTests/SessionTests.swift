import Foundation
import HeraldTesting
import Testing
@testable import herald

@Suite("CLI session file")
struct SessionTests {
    private func session(expiresIn seconds: TimeInterval, from now: Date = Date()) -> Session {
        Session(server: "http://127.0.0.1:8080", clientID: "herald-admin", clientSecret: "s3cret-value",
                accessToken: "token", expiresAt: now.addingTimeInterval(seconds))
    }

    @Test("the session is written mode 0600 in a 0700 directory and reads back")
    func fileMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = SessionStore(environment: ["XDG_CONFIG_HOME": directory.file("config")])
        #expect(store.path == directory.file("config/herald/session.json"))
        let saved = session(expiresIn: 300, from: Date(timeIntervalSince1970: 1_700_000_000))
        try store.save(saved)
        #expect(SessionStore.mode(of: store.path) == 0o600)
        #expect(SessionStore.mode(of: directory.file("config/herald")) == 0o700)
        #expect(try store.load() == saved)

        // Replacing an existing file that was opened up keeps the new one private.
        chmod(store.path, 0o644)
        try store.save(session(expiresIn: 600))
        #expect(SessionStore.mode(of: store.path) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.file("config/herald"))
        #expect(leftovers == ["session.json"])
    }

    @Test("without XDG_CONFIG_HOME the session lives in ~/.config/herald")
    func defaultPath() {
        #expect(SessionStore(environment: ["HOME": "/home/op"]).path == "/home/op/.config/herald/session.json")
        #expect(SessionStore(environment: ["HOME": "/home/op", "XDG_CONFIG_HOME": ""]).path
            == "/home/op/.config/herald/session.json")
        #expect(SessionStore(environment: ["HOME": "/home/op", "XDG_CONFIG_HOME": "/xdg"]).path
            == "/xdg/herald/session.json")
    }

    @Test("a token is renewed when expired or within 30 s of expiry", arguments: [
        (-10.0, true), (0.0, true), (29.0, true), (30.0, true), (31.0, false), (3600.0, false),
    ])
    func renewal(expiresIn: TimeInterval, renew: Bool) {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(session(expiresIn: expiresIn, from: now).needsRenewal(at: now) == renew)
    }

    @Test("no session file means not logged in; a damaged one says to log in again")
    func missingAndDamaged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = SessionStore(path: directory.file("herald/session.json"))
        #expect(try store.load() == nil)
        #expect(throws: CLIError.notLoggedIn) { try AdminSession.open(server: nil, store: store) }
        try directory.write("herald/session.json", "{not json")
        #expect(throws: CLIError.self) { try store.load() }
    }

    @Test("a --server other than the session's asks to log in there")
    func otherServer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = SessionStore(path: directory.file("herald/session.json"))
        try store.save(session(expiresIn: 300))
        _ = try AdminSession.open(server: "http://127.0.0.1:8080/", store: store)
        let error = #expect(throws: CLIError.self) { try AdminSession.open(server: "http://10.0.0.1:8080", store: store) }
        #expect(error?.message == "logged in to http://127.0.0.1:8080, not http://10.0.0.1:8080: "
            + "run `herald login --server http://10.0.0.1:8080`")
    }

    @Test("the session file never shows up in output, and commands without a session exit 1 in one line")
    func notLoggedIn() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(["mapping", "list", "--realm", "acme"])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors == "herald: not logged in: run `herald login --server URL`")
    }
}
