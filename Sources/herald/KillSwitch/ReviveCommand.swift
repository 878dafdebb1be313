import ArgumentParser

/// `herald revive …`: lifts the kill switch.
struct ReviveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revive", abstract: "Lift the kill switch from an agent or an organisation.",
        discussion: """
            The agent (or the organisation's agents) get tokens again from the next request on, \
            at the level their stage and score allow. A revoked or suspended agent stays stopped: \
            the kill switch and the pipeline are separate.
            """,
        subcommands: [ReviveAgentCommand.self, ReviveOrgCommand.self])
}
