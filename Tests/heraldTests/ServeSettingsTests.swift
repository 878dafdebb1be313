import ArgumentParser
import Foundation
import HeraldAPI
import Testing
@testable import herald

@Suite("herald serve settings: flag > env > file > default")
struct ServeSettingsTests {
    let file = try! ServerConfigFile.parse(text: """
        server:
          listen: 127.0.0.1:9001
          trusted_proxies: [10.0.0.1]
        realms:
          override: true
        logging:
          level: debug
          format: json
        """, file: "herald.yaml", baseDirectory: "/etc/herald")

    @Test("each setting from the first place that sets it")
    func precedence() {
        let settings = ServeSettings(
            flags: ["server.listen": .string("127.0.0.1:9003")],
            environment: ["HERALD_LISTEN": "127.0.0.1:9002", "HERALD_LOG_LEVEL": "error", "HERALD_TRUSTED_PROXIES": "10.0.0.2, 10.0.0.3"],
            file: file)
        #expect(settings.string("server.listen") == "127.0.0.1:9003")
        #expect(settings.setting("server.listen").source == .flag)
        #expect(settings.string("logging.level") == "error")
        #expect(settings.setting("logging.level").source == .environment)
        #expect(settings.strings("server.trusted_proxies") == ["10.0.0.2", "10.0.0.3"])
        #expect(settings.string("logging.format") == "json")
        #expect(settings.setting("logging.format").source == .file)
        #expect(settings.bool("realms.override"))
        #expect(settings.string("audit.log") == "durable")
        #expect(settings.setting("audit.log").source == .default)
        #expect(settings.string("server.public_url") == nil)
    }

    @Test("without flags or env the file holds; without a file the defaults")
    func layers() {
        let fromFile = ServeSettings(flags: [:], environment: [:], file: file)
        #expect(fromFile.string("server.listen") == "127.0.0.1:9001")
        let defaults = ServeSettings(flags: [:], environment: [:], file: nil)
        #expect(defaults.string("server.listen") == "127.0.0.1:8080")
        #expect(defaults.string("realms.directory") == "realms")
        #expect(!defaults.bool("realms.override"))
        // An empty variable is unset, as the shell's `VAR= herald serve` means.
        #expect(ServeSettings(flags: [:], environment: ["HERALD_LISTEN": ""], file: file).string("server.listen") == "127.0.0.1:9001")
        #expect(!ServeSettings(flags: [:], environment: ["HERALD_OVERRIDE_REALMS": "0"], file: file).bool("realms.override"))
    }

    @Test("config check output names each value's source; the example parses")
    func renderedAndExample() throws {
        let text = ServeSettings(flags: [:], environment: ["HERALD_DATA": "/srv/data"], file: file).rendered()
        #expect(text.contains("  listen: 127.0.0.1:9001  # file"))
        #expect(text.contains("  data_directory: /srv/data  # env"))
        #expect(text.contains("  # public_url: unset  # default: http://LISTEN"))
        // The output is a herald.yaml that gives the same settings.
        let again = try ServerConfigFile.parse(text: text, file: "check", baseDirectory: "")
        #expect(ServeSettings(flags: [:], environment: [:], file: again).settings.map(\.value)
            == ServeSettings(flags: [:], environment: ["HERALD_DATA": "/srv/data"], file: file).settings.map(\.value))
        let example = try ServerConfigFile.parse(text: ConfigExampleCommand.text, file: "example", baseDirectory: "/")
        #expect(example.values.count == ServerConfigKey.all.filter { $0.defaultValue != nil }.count)
        #expect(ConfigExampleCommand.text.contains("  # cert: /etc/herald/tls/herald.crt"))
    }

    @Test("herald serve --config: the file's values under HERALD_*, flags over both")
    func serveCommand() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("herald.yaml").path
        try "server:\n  listen: 127.0.0.1:9001\n  trusted_proxies: [10.0.0.1, 10.0.0.2]\nrealms:\n  override: true\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = try ServeCommand.parse(["--config", path])
        #expect(try fromFile.listenAddress() == ("127.0.0.1", 9001))
        let flagged = try ServeCommand.parse(["--config", path, "--listen", "127.0.0.1:9003"])
        #expect(try flagged.listenAddress() == ("127.0.0.1", 9003))
        let layered = try ServeSettings.layeredEnvironment(
            config: path, environment: ["HERALD_TRUSTED_PROXIES": "10.0.0.9", "HERALD_LISTEN": ""])
        #expect(layered["HERALD_TRUSTED_PROXIES"] == "10.0.0.9")
        #expect(layered["HERALD_LISTEN"] == "127.0.0.1:9001")
        #expect(layered["HERALD_OVERRIDE_REALMS"] == "true")
        #expect(try ServeSettings.layeredEnvironment(config: nil, environment: ["A": "b"]) == ["A": "b"])
        try "server:\n  listen: nowhere\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--config", path]) }
    }

    @Test("check intervals of key rotation, LDAP sync and federation refresh: default, file, flag; a bad one is a usage error with the range")
    func checkIntervals() throws {
        let defaults = try ServeCommand.parse([]).checkIntervals()
        #expect(defaults.keys == .seconds(30) && defaults.ldapSync == .seconds(5) && defaults.federationRefresh == .seconds(1))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-intervals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("herald.yaml").path
        try "ldap:\n  sync_check_interval: 2m\nfederation:\n  refresh_check_interval: 10s\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let layered = try ServeCommand.parse(["--config", path, "--key-check-interval", "1h"]).checkIntervals()
        #expect(layered.keys == .seconds(3600) && layered.ldapSync == .seconds(120)
            && layered.federationRefresh == .seconds(10))
        for (flag, value) in [("--key-check-interval", "0s"), ("--ldap-sync-check-interval", "-1s"),
                              ("--federation-refresh-check-interval", "often"), ("--key-check-interval", "2h")] {
            do {
                _ = try ServeCommand.parse(["\(flag)=\(value)"])
                Issue.record("\(flag) \(value) was accepted")
            } catch {
                let message = ServeCommand.message(for: error)
                #expect(message.contains("\(flag)"), "\(message)")
                #expect(message.contains("'\(value)' is not an interval from 1s to 1h"), "\(message)")
            }
        }
    }

    @Test("every herald serve option has a herald.yaml key, and every key names a real option and variable")
    func everyOptionHasAKey() {
        let help = ServeCommand.helpMessage(columns: 10_000)
        let options = Set(help.matches(of: /--[a-z][a-z-]+/).map { String($0.output) })
            .subtracting(["--config", "--help", "--version"])
        let flags = Set(ServerConfigKey.all.compactMap(\.flag))
        #expect(options.subtracting(flags).isEmpty, "options without a herald.yaml key: \(options.subtracting(flags).sorted())")
        #expect(flags.subtracting(options).isEmpty, "keys naming no option: \(flags.subtracting(options).sorted())")
        for key in ServerConfigKey.all {
            #expect(help.contains(key.environment), "\(key.path): \(key.environment) is not in herald serve --help")
        }
    }

    @Test("--config, else HERALD_CONFIG; no file is searched for")
    func fileChoice() throws {
        #expect(try ServeSettings.loadFile(flag: nil, environment: [:]) == nil)
        #expect(throws: RealmFileError.self) { try ServeSettings.loadFile(flag: nil, environment: ["HERALD_CONFIG": "/nonexistent/h.yaml"]) }
    }
}
