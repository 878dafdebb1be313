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

    /// The agent id a passport JWT (`typ: agent-passport+jwt`) speaks for: its `sub`.
    package func check(jwt token: String, in realm: RealmRuntime) -> Result<String, Rejection> {
        do {
            let verified = try verifier(of: realm).verifyJWT(token, now: clock.now())
            guard let subject = verified.subject else { return .failure(Rejection(description: "no sub")) }
            return .success(subject)
        } catch {
            return .failure(Rejection(description: error.description))
        }
    }

    /// The agent id an MCPS passport object (its JSON text) speaks for: the agent of the
    /// passport record it names, since the object itself does not say.
    package func check(mcps json: [UInt8], in realm: RealmRuntime) async -> Result<String, Rejection> {
        let verified: VerifiedPassport
        do { verified = try verifier(of: realm).verifyMCPS(json: json, now: clock.now()) } catch {
            return .failure(Rejection(description: error.description))
        }
        guard let record = try? await store.passport(realm: realm.name, id: verified.passportID) else {
            return .failure(Rejection(description: "passport \(verified.passportID) was not issued by this realm"))
        }
        return .success(record.agentID)
    }

    private func verifier(of realm: RealmRuntime) -> PassportVerifier {
        PassportVerifier(keys: realm.keyRing.published.keys, issuer: realm.issuer)
    }
}
