import ArgumentParser
import Foundation

/// `herald login`: gets an admin token from the master realm and caches the session.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a Herald server with admin client credentials.",
        discussion: """
            Reads the credentials the server wrote on first start (data/admin-credentials, JSON \
            {"realm","client_id","client_secret"}), or --client-id with --client-secret-file. \
            The token and the credentials (to renew it) are cached in \
            $XDG_CONFIG_HOME/herald/session.json (else ~/.config/herald/session.json), mode 0600, \
            with the paths (not the contents) of --cacert, --client-cert and --client-key, which \
            later commands use unless they are given others.
            """)

    @Option(help: "Herald server URL (env HERALD_SERVER; default \(AdminClient.defaultServer)).")
    var server: String?
    @Option(help: "Admin credentials file (default ./data/admin-credentials).")
    var credentials: String?
    @Option(name: .customLong("client-id"), help: "Admin client id (with --client-secret-file).")
    var clientID: String?
    @Option(name: .customLong("client-secret-file"), help: "File holding the admin client's secret.")
    var clientSecretFile: String?
    @OptionGroup(title: "TLS")
    var tls: TLSClientOptions

    func validate() throws {
        if credentials != nil, clientID != nil || clientSecretFile != nil {
            throw ValidationError("give either --credentials FILE or --client-id with --client-secret-file, not both")
        }
        if (clientID == nil) != (clientSecretFile == nil) {
            throw ValidationError("--client-id and --client-secret-file go together")
        }
        do { _ = try AdminClient.normalize(serverURL) } catch let error as CLIError { throw ValidationError(error.message) }
    }

    var serverURL: String { server ?? Console.environment["HERALD_SERVER"] ?? AdminClient.defaultServer }

    func run() async throws {
        let (clientID, secret) = try readCredentials()
        let client = try AdminClient(server: serverURL, tls: tls.given)
        let token = try await client.token(realm: AdminSession.adminRealm, clientID: clientID, clientSecret: secret)
        let store = SessionStore()
        var session = Session(server: client.server, clientID: clientID, clientSecret: secret, accessToken: token.token,
                              expiresAt: Date().addingTimeInterval(TimeInterval(token.expiresIn)))
        session.tls = client.tls  // the paths, so later commands need not repeat them
        try store.save(session)
        Console.write("logged in to \(client.server) as \(clientID); session saved in \(store.path)")
    }

    /// The client id and secret from the chosen source.
    func readCredentials() throws -> (String, String) {
        if let clientID, let clientSecretFile {
            guard let data = FileManager.default.contents(atPath: clientSecretFile) else {
                throw CLIError.usage("cannot read \(clientSecretFile); pass the file that holds the client secret")
            }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw CLIError.usage("\(clientSecretFile) is empty; it must hold the client secret") }
            return (clientID, secret)
        }
        let file = credentials ?? "data/admin-credentials"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("cannot read \(file); pass --credentials with the admin-credentials file "
                + "from the server's data directory, or --client-id and --client-secret-file")
        }
        guard let object = try? JSONValue(parsing: data), let id = object["client_id"]?.string,
              let secret = object["client_secret"]?.string, !id.isEmpty, !secret.isEmpty
        else { throw CLIError.usage("\(file) is not {\"realm\",\"client_id\",\"client_secret\"} JSON") }
        if let realm = object["realm"]?.string, realm != AdminSession.adminRealm {
            throw CLIError.usage("\(file) holds a client of realm \(realm); admin clients live in the master realm")
        }
        return (id, secret)
    }
}
