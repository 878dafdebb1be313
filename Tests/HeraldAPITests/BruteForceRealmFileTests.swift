import Foundation
import HeraldAPI
import HeraldCore
import HeraldTesting
import Testing

@Suite("Realm files: brute_force")
struct BruteForceRealmFileTests {
    let loader = RealmFileLoader(environment: [:], checkJWKS: { _ in })

    func load(_ section: String) throws -> RealmConfig {
        try loader.load(text: "realm: acme\n" + section, file: "r.yaml", baseDirectory: "/nonexistent").config
    }

    func issues(_ section: String) -> [String] {
        loader.issues(in: "realm: acme\n" + section).map(\.description)
    }

    @Test("without the section the defaults apply: Keycloak's 30 failures, 1m steps up to 15m, reset after 12h")
    func defaults() throws {
        let config = try load("")
        #expect(config.bruteForce == nil)
        let settings = config.effectiveBruteForce
        #expect(settings.enabled)
        #expect(settings.client == .init(maxFailures: 30, waitIncrementSeconds: 60, maxWaitSeconds: 900,
                                         failureResetSeconds: 43200))
        #expect(settings.address.maxFailures == 100 && settings.address.enabled)
        #expect(settings.eventRate == .init(count: 60, periodSeconds: 60))
    }

    @Test("every key is read; keys left out keep their defaults")
    func reads() throws {
        let settings = try #require(try load("""
            brute_force:
              max_failures: 5
              wait_increment: 30s
              max_wait: 1h
              failure_reset: 1d
              per_address: {enabled: off, max_failures: 40}
              event_rate: 10/s
            """).bruteForce)
        #expect(settings.client == .init(maxFailures: 5, waitIncrementSeconds: 30, maxWaitSeconds: 3600,
                                         failureResetSeconds: 86400))
        #expect(settings.address == .init(enabled: false, maxFailures: 40))
        #expect(settings.eventRate == .init(count: 10, periodSeconds: 1))
        #expect(try load("brute_force: {enabled: false, event_rate: off}").bruteForce
            == BruteForceSettings(enabled: false, eventRate: nil))
    }

    @Test("misspelt keys get a suggestion with their line; bad values say what is allowed")
    func problems() {
        let found = issues("""
            brute_force:
              max_failure: 5
              wait_increment: soon
              max_wait: 0s
              per_address: {max_failures: 0, failure_rest: 1h}
              event_rate: 60/minute
            """)
        #expect(found == [
            "r.yaml:3:3: brute_force.max_failure: unknown key (did you mean max_failures?)",
            "r.yaml:4:19: brute_force.wait_increment: 'soon' is not a duration; write a whole number and a unit, e.g. 45s, 5m, 12h, 30d",
            "r.yaml:5:13: brute_force.max_wait: '0s' is not a duration; write a whole number and a unit, e.g. 45s, 5m, 12h, 30d",
            "r.yaml:6:34: brute_force.per_address.failure_rest: unknown key (did you mean failure_reset?)",
            "r.yaml:6:31: brute_force.per_address.max_failures: 0 is outside 1…100000",
            "r.yaml:7:15: brute_force.event_rate: '60/minute' is not a rate; write a count per s, min or h (1 to 1000000), e.g. 60/min, or off",
        ])
    }

    @Test("the waits must fit together: max_wait ≥ wait_increment, failure_reset > max_wait")
    func consistency() {
        #expect(issues("brute_force: {wait_increment: 10m, max_wait: 5m}\n") == [
            "r.yaml:2:46: brute_force.max_wait: must be at least wait_increment (10m)",
        ])
        #expect(issues("brute_force: {per_address: {max_wait: 2h, failure_reset: 1h}}\n") == [
            "r.yaml:2:58: brute_force.per_address.failure_reset: must be longer than max_wait (2h), "
                + "or the failures would be forgotten by the time a lock ends",
        ])
        #expect(issues("brute_force: {enabled: maybe}\n") == ["r.yaml:2:24: brute_force.enabled: expected true or false"])
        #expect(issues("brute_force: 30\n").first?.hasPrefix("r.yaml:2:14: brute_force: expected a mapping") == true)
        #expect(issues("brute_forse: {}\n") == ["r.yaml:2:1: brute_forse: unknown key (did you mean brute_force?)"])
    }

    @Test("export writes every key back, and the export loads to the same settings")
    func roundTrip() throws {
        let config = try load("brute_force: {max_failures: 7, per_address: {wait_increment: 90s}, event_rate: 100/h}\n")
        let object = RealmDocument.object(config)
        let section = try #require(object["brute_force"] as? [String: Any])
        #expect(section["max_failures"] as? Int == 7)
        #expect(section["event_rate"] as? String == "100/h")
        #expect((section["per_address"] as? [String: Any])?["wait_increment"] as? String == "90s")
        let yaml = try RealmDocument.yaml(config)
        let again = try loader.load(text: yaml, file: "e.yaml", baseDirectory: "/nonexistent").config
        #expect(again.bruteForce == config.bruteForce)
        #expect(RealmDocument.object(try load(""))["brute_force"] == nil)
    }

    @Test("a realm stored before brute_force existed still decodes, with the defaults in force")
    func storedBefore() throws {
        var config = try load("brute_force: {max_failures: 7}\n")
        let data = try JSONEncoder().encode(config)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["bruteForce"] != nil)
        object["bruteForce"] = nil
        let older = try JSONDecoder().decode(RealmConfig.self, from: JSONSerialization.data(withJSONObject: object))
        config.bruteForce = nil
        #expect(older == config)
        #expect(older.effectiveBruteForce == .defaults)
    }
}
