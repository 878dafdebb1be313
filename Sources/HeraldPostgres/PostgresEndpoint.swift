import Foundation
import HeraldCore
import PostgresNIO

/// Where and how to reach PostgreSQL, read from a `postgres://` or `postgresql://` store
/// location: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require]`.
///
/// The password comes from the URL (percent-encoded) or, when the URL has none, from the
/// `PGPASSWORD` environment variable, so it need not appear in a command line. TLS defaults
/// to `require` (certificate verified against the system's roots, host name checked) except
/// on a loopback host, where it defaults to `disable`. Nothing here is logged: errors name
/// the location through ``StoreLocation/description``, which hides the password.
struct PostgresEndpoint: Sendable {
    /// The TLS choice of `sslmode`.
    enum TLSMode: String, Sendable { case disable, require }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode

    static let example = "write e.g. postgres://herald:PASSWORD@db.example.com:5432/herald"

    /// Parses `location`; `environment` supplies `PGPASSWORD`.
    init(_ location: StoreLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func invalid(_ problem: String) -> HeraldError {
            HeraldError(.invalidConfiguration, "store location \(location) \(problem); \(Self.example)")
        }
        guard location.remainder.hasPrefix("//"),
              let components = URLComponents(string: "\(location.scheme):\(location.remainder)")
        else { throw invalid("is not a URL of the form postgres://USER@HOST/DATABASE") }
        guard let host = components.host, !host.isEmpty else { throw invalid("names no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("names no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("names no database (the path after the host)") }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("has port \(port), outside 1-65535") }
        username = user
        self.database = database
        password = components.password ?? environment["PGPASSWORD"]
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(self.host)
        tls = loopback ? .disable : .require
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw invalid("has the unknown parameter '\(item.name)' (only sslmode is read)")
            }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw invalid("has sslmode '\(item.value ?? "")'; use sslmode=disable or sslmode=require")
            }
            tls = mode
        }
    }

    /// The pool's configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls == .require ? .require(.makeClientConfiguration()) : .disable)
        // A commit returns only once it is flushed to disk, whatever the server's default:
        // an audit entry must survive a crash before its token is answered.
        configuration.options.additionalStartupParameters = [("synchronous_commit", "on")]
        return configuration
    }

    /// One connection's configuration (the start-up probe, which must fail fast and say why).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let context = tls == .require ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: context.map { .require($0) } ?? .disable)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
