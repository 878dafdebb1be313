import ArgumentParser
import HeraldAPI

/// `herald kill org ORG --reason R`.
struct KillOrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Stop every agent of an organisation from its next request on.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Organisation (the agents' org).") var org: String
    @Option(help: "Why (recorded in the audit chain and shown in refusals).") var reason: String

    func validate() throws {
        try KillSwitchView.checkOrg(org)
        try LifecycleView.checkText(reason, "--reason")
    }

    func run() async throws {
        let session = try options.connect()
        let state = try await session.call(.POST, options.path("orgs", org, "kill"), body: AdminKillRequest(reason: reason),
                                           as: AdminOrgKill.self)
        options.emit(state, table: KillSwitchView.org)
    }
}
