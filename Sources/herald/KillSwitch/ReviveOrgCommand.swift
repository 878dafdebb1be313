import ArgumentParser
import HeraldAPI

/// `herald revive org ORG`.
struct ReviveOrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Lift the kill switch from an organisation.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Organisation (the agents' org).") var org: String

    func validate() throws { try KillSwitchView.checkOrg(org) }

    func run() async throws {
        let session = try options.connect()
        let state = try await session.call(.POST, options.path("orgs", org, "revive"), as: AdminOrgKill.self)
        options.emit(state, table: KillSwitchView.org)
    }
}
