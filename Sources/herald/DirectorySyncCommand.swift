import ArgumentParser

/// `herald directory sync`: a full read of the realm's LDAP directory now.
struct DirectorySyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read every agent and group of the realm's LDAP directory now.",
        discussion: "In mode sync this replaces the served copy; in mode live it also empties the cache.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let report = try await session.json(.POST, options.path("directory", "sync"), hints: [
            404: "the realm has no LDAP directory (directory.ldap in its realm file)",
            503: "the LDAP server did not answer; the previous copy keeps serving",
        ])
        options.emit(report) { json in
            "synchronised \(json["agents"]?.cell ?? "?") agents and \(json["groups"]?.cell ?? "?") groups "
                + "(mode \(json["mode"]?.cell ?? "?"), \(json["round_trips"]?.cell ?? "?") round trips, "
                + "\(json["seconds"]?.cell ?? "?") s)"
        }
    }
}
