import Foundation
import HeraldCore
import HeraldServer
import Logging

/// A Herald built over a temporary realms and data directory, with a manual clock.
public struct TestServer: Sendable {
    public let herald: Herald
    public let clock: ManualClock
    public let directory: TemporaryDirectory
    public let configuration: ServerConfiguration

    /// Builds a server over `realms` (file name → contents) in a new temporary directory,
    /// or over `directory` again (a restart) when given.
    public static func start(realms: [String: String] = ["test.yaml": RealmFixtures.testRealm()],
                             directory: TemporaryDirectory? = nil, clock: ManualClock = ManualClock(),
                             overrideRealms: Bool = false) async throws -> TestServer {
        let directory = try directory ?? TemporaryDirectory()
        for (name, contents) in realms { try directory.write("realms/\(name)", contents) }
        let configuration = ServerConfiguration(realmsDirectory: directory.file("realms"),
                                                dataDirectory: directory.file("data"), host: "127.0.0.1", port: 0,
                                                publicURL: "https://herald.test", overrideRealms: overrideRealms)
        var logger = Logger(label: "herald.test")
        logger.logLevel = .error
        let herald = try await buildHerald(configuration: configuration, clock: clock, logger: logger)
        return TestServer(herald: herald, clock: clock, directory: directory, configuration: configuration)
    }
}
