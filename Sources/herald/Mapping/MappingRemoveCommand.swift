import ArgumentParser

/// `herald mapping rm ID`: removes one role mapping.
struct MappingRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a role mapping by id.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Mapping id, as `herald mapping list` shows it.") var id: String

    func validate() throws {
        guard !id.isEmpty else { throw ValidationError("give the mapping id (see `herald mapping list`)") }
    }

    func run() async throws {
        let session = try options.connect()
        _ = try await session.send(.DELETE, options.path("role-mappings", id),
                                   hints: [404: "no such mapping; `herald mapping list` shows the ids"])
        if options.output == .table { Console.write("removed role mapping \(id)") }
    }
}
