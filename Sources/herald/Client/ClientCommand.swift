import ArgumentParser
import HeraldAPI

/// `herald client …`: the realm's OAuth clients.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "List, create and remove clients; rotate their secrets.",
        subcommands: [ClientListCommand.self, ClientCreateCommand.self, ClientRotateSecretCommand.self,
                      ClientRemoveCommand.self])
}

/// Table rendering of clients, and the checks shared by the client verbs.
enum ClientTable {
    static func render(_ list: AdminClientList) -> String {
        let rows = list.clients.map { client in
            [client.clientID ?? "", client.subject ?? "", client.auth ?? "", client.scopes?.joined(separator: ",") ?? "",
             client.audience?.joined(separator: ",") ?? "", client.jwks.map { $0 == .null ? "" : "yes" } ?? ""]
        }
        return renderTable(["CLIENT ID", "SUBJECT", "AUTH", "SCOPES", "AUDIENCE", "JWKS"], rows)
    }

    /// Client ids as the realm file allows them: 1–128 visible characters.
    static func checkClientID(_ id: String) throws {
        guard (1...128).contains(id.count), !id.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("client ids are 1–128 characters without spaces or '/', not '\(id)'")
        }
    }

    /// Writes a new secret with the warning that it is shown once.
    static func announceSecret(_ secret: String) {
        Console.write("client_secret: \(secret)")
        Console.write("(shown once: store it now; `herald client rotate-secret` makes a new one)")
    }
}
