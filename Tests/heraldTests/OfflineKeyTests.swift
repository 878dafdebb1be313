import Foundation
import HeraldTesting
import Testing
@testable import herald

@Suite("herald key list|rotate --data (offline)")
struct OfflineKeyTests {
    @Test("key list --data reads a stopped server's keys; key rotate --data prepares the next one")
    func offline() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let data = server.configuration.dataDirectory
        let cli = try CLIHarness()
        defer { cli.directory.remove() }

        let list = await cli.run(["key", "list", "--data", data, "--realm", "test"])
        #expect(list.status == 0, "\(list)")
        let lines = list.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("KID") == true)
        #expect(lines.count == 2)
        #expect(lines.last?.contains("ES256  active") == true)

        let rotate = await cli.run(["key", "rotate", "--data", data, "--realm", "test"])
        #expect(rotate.status == 0, "\(rotate)")
        let json = await cli.run(["key", "list", "--data", data, "--realm", "test", "--output", "json"])
        let keys = try JSONValue(parsing: Data(json.output.utf8)).array ?? []
        #expect(keys.compactMap { $0["state"]?.string }.sorted() == ["active", "prepared"])

        let unknown = await cli.run(["key", "list", "--data", data, "--realm", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("realm nope is not in the store; known: master, test"))
    }
}
