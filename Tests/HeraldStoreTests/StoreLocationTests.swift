import Foundation
import HeraldCore
import HeraldStore
import HeraldTesting
import Testing

@Suite("store locations and backends")
struct StoreLocationTests {
    @Test("sqlite:PATH and sqlite:///PATH name a file; a host does not")
    func parsing() throws {
        #expect(try StoreLocation(parsing: "sqlite:/var/lib/herald/herald.sqlite").filePath == "/var/lib/herald/herald.sqlite")
        #expect(try StoreLocation(parsing: "SQLite:///var/lib/h.sqlite").filePath == "/var/lib/h.sqlite")
        #expect(try StoreLocation(parsing: "sqlite:data/h.sqlite").filePath == "data/h.sqlite")
        #expect(try StoreLocation(parsing: "sqlite:///var/lib/h.sqlite").scheme == "sqlite")
        #expect(try StoreLocation(parsing: "sqlite://db.example.com/h").filePath == nil)
    }

    @Test("a location without a scheme or a database is refused, saying what to write")
    func refused() {
        for (text, hint) in [("", "empty"), ("/var/lib/herald.sqlite", "write sqlite:/var/lib/herald.sqlite"),
                             ("sqlite:", "names no database"), ("1x:/a", "has no scheme")] {
            #expect {
                try StoreLocation(parsing: text)
            } throws: { error in
                (error as? HeraldError)?.code == .invalidConfiguration && "\(error)".contains(hint)
            }
        }
    }

    @Test("a password in a location never reaches its description")
    func redacted() throws {
        let location = try StoreLocation(parsing: "postgres://herald:s3cret@db.example.com:5432/herald")
        #expect(location.description == "postgres://herald:***@db.example.com:5432/herald")
        #expect(!location.description.contains("s3cret"))
        #expect(try StoreLocation(parsing: "postgres://db.example.com/herald").description == "postgres://db.example.com/herald")
    }

    @Test("the standard backends open sqlite: and postgres:, refuse other schemes by name; read-only never creates")
    func backends() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("h.sqlite")
        #expect(StoreBackends.standard.schemes == ["postgres", "postgresql", "sqlite"])
        await #expect {
            try await StoreBackends.standard.open(try StoreLocation(parsing: "mysql://u:pw@db/herald"))
        } throws: { error in
            "\(error)".contains("no store backend for 'mysql:'") && "\(error)".contains("sqlite:")
                && "\(error)".contains("postgres:") && !"\(error)".contains("pw@")
        }
        await #expect(throws: HeraldError.self) {
            try await StoreBackends.standard.open(.sqlite(path: path), access: .readOnly)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let store = try await StoreBackends.standard.open(.sqlite(path: path))
        try await store.save(RealmConfig(name: "acme"))
        #expect(store.location == .sqlite(path: path))
        let reader = try await StoreBackends.standard.open(.sqlite(path: path), access: .readOnly)
        #expect(try await reader.realmNames() == ["acme"])
        await #expect(throws: (any Error).self) { try await reader.save(RealmConfig(name: "beta")) }
    }
}
