import ArgumentParser
import HeraldAPI

/// `herald directory sync`: a full read of the realm's LDAP directory now.
struct DirectorySyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read every agent and group of the realm's LDAP directory now.",
        discussion: "In mode sync this replaces the served copy; in mode live it also empties the cache.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let report = try await session.call(.POST, options.path("directory", "sync"), as: AdminDirectorySync.self, hints: [
            404: "the realm has no LDAP directory (directory.ldap in its realm file)",
            503: "the LDAP server did not answer; the previous copy keeps serving",
        ])
        options.emit(report) { sync in
            "synchronised \(sync.agents) agents and \(sync.groups) groups "
                + "(mode \(sync.mode), \(sync.roundTrips) round trips, \(JSONValue.double(sync.seconds).cell) s)"
        }
    }
}
