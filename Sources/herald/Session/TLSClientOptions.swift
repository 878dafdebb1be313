import ArgumentParser
import Foundation

/// `--cacert`, `--client-cert` and `--client-key` (and their HERALD_* variables): the TLS
/// files of every command that talks to the server.
struct TLSClientOptions: ParsableArguments {
    @Option(name: .customLong("cacert"),
            help: ArgumentHelp("PEM bundle of the CAs to trust instead of the system store (env HERALD_CACERT; "
                + "`herald login` saves the path for later commands).", valueName: "file"))
    var caCert: String?
    @Option(name: .customLong("client-cert"),
            help: ArgumentHelp("PEM client certificate for an mTLS admin listener, with --client-key "
                + "(env HERALD_CLIENT_CERT; `herald login` saves the path for later commands).", valueName: "file"))
    var clientCert: String?
    @Option(name: .customLong("client-key"),
            help: ArgumentHelp("PEM private key of --client-cert (env HERALD_CLIENT_KEY).", valueName: "file"))
    var clientKey: String?

    func validate() throws {
        let given = self.given
        if (given.clientCert == nil) != (given.clientKey == nil) {
            throw ValidationError("--client-cert and --client-key go together (env HERALD_CLIENT_CERT, "
                + "HERALD_CLIENT_KEY): pass both")
        }
    }

    /// The files given by flag, else by variable, as absolute paths (a session saved in one
    /// directory is used from others).
    var given: ClientTLS {
        ClientTLS(caCert: Self.pick(caCert, "HERALD_CACERT"),
                  clientCert: Self.pick(clientCert, "HERALD_CLIENT_CERT"),
                  clientKey: Self.pick(clientKey, "HERALD_CLIENT_KEY"))
    }

    private static func pick(_ flag: String?, _ variable: String) -> String? {
        guard let value = flag ?? Console.environment[variable], !value.isEmpty else { return nil }
        return absolute(value)
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
    }
}
