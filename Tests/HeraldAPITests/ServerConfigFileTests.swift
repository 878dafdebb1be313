import Foundation
import HeraldAPI
import Testing

@Suite("herald.yaml")
struct ServerConfigFileTests {
    func issues(_ text: String) -> [String] {
        do {
            _ = try ServerConfigFile.parse(text: text, file: "herald.yaml", baseDirectory: "/etc/herald")
            return []
        } catch let error as RealmFileError {
            return error.issues.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test("every key of the example parses, and paths resolve against the file's directory")
    func fullFile() throws {
        let text = """
            server:
              listen: 0.0.0.0:9000
              public_url: https://herald.example.com
              default_realm: acme
              trusted_proxies: [10.0.0.5, "fd00::5"]
            realms:
              directory: realms
              override: true
            storage:
              data_directory: /var/lib/herald
              master_key_file: keys/master.key
            audit:
              log: off
            logging:
              level: debug
              format: json
            """
        let config = try ServerConfigFile.parse(text: text, file: "herald.yaml", baseDirectory: "/etc/herald")
        #expect(config.values["server.listen"] == .string("0.0.0.0:9000"))
        #expect(config.values["server.trusted_proxies"] == .strings(["10.0.0.5", "fd00::5"]))
        #expect(config.values["realms.directory"] == .string("/etc/herald/realms"))
        #expect(config.values["realms.override"] == .bool(true))
        #expect(config.values["storage.data_directory"] == .string("/var/lib/herald"))
        #expect(config.values["storage.master_key_file"] == .string("/etc/herald/keys/master.key"))
        #expect(config.values["audit.log"] == .string("off"))
        #expect(config.values["logging.level"] == .string("debug"))
        #expect(config.lines["logging.format"] == 16)
        // off is a word here, not YAML 1.1's false: audit.log is a choice of words.
        #expect(config.values.count == 11)
    }

    @Test("unknown keys, wrong types and bad values: all of them, in line order, with line and key")
    func everyProblemWithItsLine() {
        let text = """
            server:
              listen: 8080
              lisen: 127.0.0.1:1
              trusted_proxies: 10.0.0.5
            realms: [a]
            storage:
              data_directory: ""
            audit:
              log: durabel
            logging:
              level: loud
              format: xml
            tsl: {}
            """
        #expect(issues(text) == [
            "herald.yaml:2:11: server.listen: '8080' is not HOST:PORT; write e.g. 127.0.0.1:8080 or [::1]:8080",
            "herald.yaml:3:3: server.lisen: unknown key (did you mean listen?)",
            "herald.yaml:4:20: server.trusted_proxies: expected a list",
            "herald.yaml:5:9: realms: expected a mapping with keys directory, override",
            "herald.yaml:7:19: storage.data_directory: empty; write a path, or leave the key out for the default data",
            "herald.yaml:9:8: audit.log: 'durabel' is not allowed (did you mean durable?)",
            "herald.yaml:11:10: logging.level: 'loud' is not allowed; valid: trace, debug, info, notice, warning, error, critical",
            "herald.yaml:12:11: logging.format: 'xml' is not allowed; valid: text, json",
            "herald.yaml:13:1: tsl: unknown key (did you mean tls?)",
        ])
    }

    @Test("background check intervals: 1s to 1h; zero, negative, fractional, too long or unparseable is refused with the range")
    func checkIntervals() throws {
        let valid = try ServerConfigFile.parse(text: """
            keys:
              check_interval: 1h
            ldap:
              sync_check_interval: 1s
            federation:
              refresh_check_interval: 2m
            """, file: "herald.yaml", baseDirectory: "/etc/herald")
        #expect(valid.values["keys.check_interval"] == .string("1h"))
        #expect(valid.values["ldap.sync_check_interval"] == .string("1s"))
        #expect(valid.values["federation.refresh_check_interval"] == .string("2m"))
        let range = "is not an interval from 1s to 1h; write a whole number and s, m or h, e.g. 5s or 1m"
        #expect(issues("""
            keys:
              check_interval: 0s
            ldap:
              sync_check_interval: -5s
            federation:
              refresh_check_interval: 1.5s
            """) == [
            "herald.yaml:2:19: keys.check_interval: '0s' \(range)",
            "herald.yaml:4:24: ldap.sync_check_interval: '-5s' \(range)",
            "herald.yaml:6:27: federation.refresh_check_interval: '1.5s' \(range)",
        ])
        #expect(issues("keys:\n  check_interval: 61m\n") == ["herald.yaml:2:19: keys.check_interval: '61m' \(range)"])
        #expect(issues("ldap:\n  sync_check_interval: soon\n") == ["herald.yaml:2:24: ldap.sync_check_interval: 'soon' \(range)"])
        #expect(ServerConfigChecks.checkInterval("3600s") == nil)
        #expect(ServerConfigChecks.checkInterval("3601s") != nil)
        #expect(ServerConfigChecks.checkInterval("1d") != nil)
    }

    @Test("list items, URLs and realm names are checked one by one")
    func valueChecks() {
        #expect(issues("server:\n  trusted_proxies: [10.0.0.5, proxy.local]\n") == [
            "herald.yaml:2:20: server.trusted_proxies[1]: 'proxy.local' is not an IP address; write e.g. 10.0.0.5 or fd00::5 (no port, no name)",
        ])
        #expect(issues("server:\n  public_url: ftp://x\n  default_realm: Acme\n") == [
            "herald.yaml:2:15: server.public_url: 'ftp://x' is not an http(s) URL; write e.g. https://herald.example.com",
            "herald.yaml:3:18: server.default_realm: 'Acme' is not a realm name; use 1–63 lower-case letters, digits and dashes",
        ])
        #expect(issues("realms:\n  override: maybe\n") == ["herald.yaml:2:13: realms.override: expected true or false"])
        #expect(issues("server:\n  listen: [a\n").first?.hasPrefix("herald.yaml:3:1: not valid YAML") == true)
    }

    @Test("an empty file, or one of comments, sets nothing")
    func emptyFile() throws {
        #expect(try ServerConfigFile.parse(text: "# nothing\n", file: "f", baseDirectory: "").values.isEmpty)
        #expect(try ServerConfigFile.parse(text: "", file: "f", baseDirectory: "").values.isEmpty)
    }

    @Test("a missing file says which option named it")
    func missingFile() {
        #expect(throws: RealmFileError.self) { try ServerConfigFile.load(path: "/nonexistent/herald.yaml") }
    }
}

@Suite("deploy/herald.yaml.example")
struct DeployConfigExampleTests {
    @Test("the shipped example is a valid herald.yaml with every section")
    func shippedExample() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/herald.yaml.example").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try ServerConfigFile.parse(text: text, file: path, baseDirectory: "/etc/herald")
        #expect(config.values["storage.data_directory"] == .string("/var/lib/herald"))
        for section in ServerConfigKey.sections { #expect(text.contains("\n\(section):\n"), "\(section)") }
        for key in ServerConfigKey.all { #expect(text.contains(" \(key.name): "), "\(key.path)") }
    }
}
