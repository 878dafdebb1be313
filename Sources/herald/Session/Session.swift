import Foundation

/// What `herald login` caches: the server, the admin client's credentials (to renew the
/// token without asking again), the current access token and the PATHS of the TLS files
/// given at login (never a private key's contents).
struct Session: Codable, Sendable, Equatable {
    var server: String
    var clientID: String
    var clientSecret: String
    var accessToken: String
    var expiresAt: Date
    /// `--cacert` at login; absent in sessions saved before Herald had it.
    var caCert: String? = nil
    /// `--client-cert` at login.
    var clientCert: String? = nil
    /// `--client-key` at login: the path, not the key.
    var clientKey: String? = nil

    /// The TLS files of the login.
    var tls: ClientTLS {
        get { ClientTLS(caCert: caCert, clientCert: clientCert, clientKey: clientKey) }
        set { (caCert, clientCert, clientKey) = (newValue.caCert, newValue.clientCert, newValue.clientKey) }
    }

    /// Seconds before expiry at which a token is renewed rather than sent.
    static let renewalMargin: TimeInterval = 30

    /// True when the token has expired or expires within ``renewalMargin`` of `now`.
    func needsRenewal(at now: Date) -> Bool {
        expiresAt.timeIntervalSince(now) <= Self.renewalMargin
    }

    enum CodingKeys: String, CodingKey {
        case server
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case accessToken = "access_token"
        case expiresAt = "expires_at"
        case caCert = "ca_cert"
        case clientCert = "client_cert"
        case clientKey = "client_key"
    }
}

/// The session file: `$XDG_CONFIG_HOME/herald/session.json`, else
/// `~/.config/herald/session.json`; the file is mode 0600 and its directory 0700.
struct SessionStore: Sendable {
    let path: String

    init(path: String) { self.path = path }

    /// The store at the default location for `environment`.
    init(environment: [String: String] = Console.environment) {
        let base: String
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            base = config
        } else {
            base = ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".config")
        }
        path = ((base as NSString).appendingPathComponent("herald") as NSString).appendingPathComponent("session.json")
    }

    /// The saved session, or nil when there is none.
    func load() throws -> Session? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read the session file \(path); check its owner, or run `herald login` again")
        }
        if let mode = Self.mode(of: path), mode & 0o077 != 0 {
            printError("warning: \(path) is readable by other users; run `chmod 600 \(path)`")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(Session.self, from: data) } catch {
            throw CLIError.usage("the session file \(path) is damaged; run `herald login --server URL` again")
        }
    }

    /// Writes `session` atomically: a new file created with mode 0600, renamed over the old.
    func save(_ session: Session) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        } catch {
            throw CLIError.usage("cannot create \(directory) for the session: \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(session)
        do { try PrivateFile.write(data, to: path) } catch {
            throw CLIError.usage("cannot write the session file \(path): \(error)")
        }
    }

    /// The permission bits of `path`.
    static func mode(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o7777)
    }
}
