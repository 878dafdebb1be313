import Foundation
import HeraldAPI
import HeraldCore
import HeraldTesting
import Testing

/// Value rules of the realm-file loader that schemathesis (docs/openapi.yaml) found loose.
@Suite("Realm-file values")
struct RealmFileValueTests {
    let loader = RealmFileLoader(environment: [:], checkJWKS: { _ in })

    func messages(_ text: String, json: Bool = false) -> [String] {
        loader.issues(in: text, file: "r", json: json).map { "\($0.path): \($0.message)" }
    }

    @Test("YAML's null (null, ~, nothing) is not a string")
    func nullIsNoString() {
        for value in ["null", "~", "", "Null"] {
            #expect(messages("realm: acme\ndisplay_name: \(value)\n") == ["display_name: expected a string"], "\(value)")
        }
        #expect(messages("realm: acme\ndisplay_name: 'null'\n").isEmpty)
    }

    @Test("in JSON text a string is a JSON string; in YAML a plain scalar still is one")
    func jsonStrings() {
        #expect(messages(#"{"realm": "acme", "display_name": false}"#, json: true) == ["display_name: expected a string"])
        #expect(messages(#"{"realm": "acme", "display_name": 5}"#, json: true) == ["display_name: expected a string"])
        #expect(messages(#"{"realm": "acme", "display_name": "false"}"#, json: true).isEmpty)
        #expect(messages("realm: acme\ndisplay_name: false\n").isEmpty)
        // The realm file spells some booleans as words, which JSON writes as strings.
        #expect(messages(#"{"realm": "acme", "trust_policy": {"earned_levels": "on", "pipeline": "off"}}"#, json: true).isEmpty)
    }

    @Test("a .json realm file is read with JSON's types")
    func jsonFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realm-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("acme.json").path
        try Data(#"{"realm": "acme", "display_name": 7}"#.utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: RealmFileError.self) { try loader.load(path: file) }
    }

    @Test("a peer's entity must be a URL with a host, not only look like one")
    func peerEntity() {
        let pin = String(repeating: "A", count: 43)
        for entity in ["http://[", "https://[::1", "http://:80/x"] {
            let text = "realm: acme\nfederation:\n  peers:\n    - {entity: \"\(entity)\", pin: \(pin), max_level: L2}\n"
            #expect(messages(text) == ["federation.peers[0].entity: '\(entity)' is not valid: the peer's issuer URL"], "\(entity)")
        }
        #expect(messages("realm: acme\nfederation:\n  peers:\n    - {entity: \"https://[::1]:8443/realms/x\", pin: \(pin), max_level: L2}\n").isEmpty)
    }

    @Test("YAMLSafeJSON escapes what YAML refuses or folds, and nothing else")
    func yamlSafeJSON() throws {
        let value = "a\u{7F}b\u{84}c\u{85}d\u{9F}e\u{2028}f\u{2029}g\u{FEFF}hé😀"
        let data = try YAMLSafeJSON.data(withJSONObject: ["k": value], options: [])
        #expect(String(decoding: data, as: UTF8.self) == #"{"k":"a\u007Fb\u0084c\u0085d\u009Fe\u2028f\u2029g\uFEFFhé😀"}"#)
        let back = try JSONSerialization.jsonObject(with: data) as? [String: String]
        #expect(back?["k"] == value)
        let text = "realm: acme\n"
        #expect(YAMLSafeJSON.escape(Data(text.utf8)) == Data(text.utf8))
    }
}
