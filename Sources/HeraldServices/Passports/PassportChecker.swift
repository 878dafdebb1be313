import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier

/// Checks a passport presented to the realm (at the MCP gate): signed by one of the realm's
/// published keys and issued by this realm, unexpired; an MCPS passport must also be one
/// Herald issued, since only the record says which agent it belongs to.
package struct PassportChecker: Sendable {
    package let store: any LifecycleRepository
    package let clock: any HeraldClock

    package init(store: any LifecycleRepository, clock: any HeraldClock) {
        self.store = store
        self.clock = clock
    }

    package struct Rejection: Error, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    /// The agent id the passport speaks for.
    package func check(_ value: Any, in realm: RealmRuntime) async -> Result<String, Rejection> {
        let verifier = PassportVerifier(keys: realm.keyRing.published.keys, issuer: realm.issuer)
        let now = clock.now()
        do {
            if let token = value as? String {
                let verified = try verifier.verifyJWT(token, now: now)
                guard let subject = verified.subject else { return .failure(Rejection(description: "no sub")) }
                return .success(subject)
            }
            guard let object = value as? [String: Any], JSONSerialization.isValidJSONObject(object),
                  let data = try? JSONSerialization.data(withJSONObject: object)
            else { return .failure(Rejection(description: "a passport is a JWT string or an MCPS passport object")) }
            let verified = try verifier.verifyMCPS(json: Array(data), now: now)
            guard let record = try? await store.passport(realm: realm.name, id: verified.passportID) else {
                return .failure(Rejection(description: "passport \(verified.passportID) was not issued by this realm"))
            }
            return .success(record.agentID)
        } catch {
            return .failure(Rejection(description: error.description))
        }
    }
}
