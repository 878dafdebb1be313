import ArgumentParser

/// `herald policy`: the realm's action policy (docs/action-authority.md).
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with a realm's action policy.",
        discussion: """
            `policy test --realm-file FILE --request REQUEST.json` evaluates one request offline \
            against the realm file's policy and explains which rule decided.
            """,
        subcommands: [PolicyTestCommand.self])
}
