import ArgumentParser

struct RealmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "realm", abstract: "Work with realms and realm files.",
        discussion: """
            The store is the source of truth after import. `realm export` writes a realm in the \
            realm-file form, `realm diff FILE` shows what `realm import --override FILE` would \
            change, `realm apply FILE` applies an edited realm file (diff first, admin-API changes kept), \
            and `realm validate FILE…` checks files offline.
            """,
        subcommands: [RealmListCommand.self, RealmExportCommand.self, RealmImportCommand.self, RealmDiffCommand.self,
                      RealmApplyCommand.self,
                      RealmValidateCommand.self])
}
