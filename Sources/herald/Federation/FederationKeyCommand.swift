import ArgumentParser

/// `herald federation key …`: this realm's federation keys, the ones partners pin.
struct FederationKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Show or rotate this realm's federation keys (what partners pin).",
        discussion: """
            Federation keys sign the entity statement and trust bundles; they are separate from the \
            token keys (`herald key`). There is a current key, which signs, and a next key, announced \
            in every bundle before it signs, so that peers follow a rotation without re-pinning.
            """,
        subcommands: [FederationKeyShowCommand.self, FederationKeyRotateCommand.self])
}

/// Rendering of `GET /admin/realms/{r}/federation`.
enum FederationKeyView {
    static func render(_ json: JSONValue) -> String {
        let fields = ["entity", "pin", "entity_configuration", "bundle_endpoint"].map { [$0, json[$0]?.cell ?? ""] }
        let head = renderTable(["FIELD", "VALUE"], fields).split(separator: "\n").dropFirst().joined(separator: "\n")
        let keys = (json["federation_keys"]?.array ?? []).map { [$0["kid"]?.cell ?? "", $0["state"]?.cell ?? ""] }
        return head + "\n\n" + renderTable(["KID", "STATE"], keys)
    }

    /// The kid of the key in `state` (current or next).
    static func kid(_ json: JSONValue, _ state: String) -> String? {
        json["federation_keys"]?.array?.first { $0["state"]?.string == state }?["kid"]?.string
    }
}
