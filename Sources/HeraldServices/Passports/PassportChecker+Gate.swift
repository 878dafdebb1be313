import Foundation
import HeraldAPI

extension PassportChecker {
    /// The agent id a passport presented at the MCP gate speaks for. An MCPS passport object
    /// is handed over as JSON text (its signature is checked over the JCS of its members, so
    /// member order and escaping do not matter).
    package func check(_ passport: MCPGateRequest.Passport, in realm: RealmRuntime) async -> Result<String, Rejection> {
        switch passport {
        case .jwt(let token):
            return check(jwt: token, in: realm)
        case .mcps(let object):
            guard let json = try? JSONEncoder().encode(object)
            else { return .failure(Rejection(description: "the MCPS passport object could not be read")) }
            return await check(mcps: Array(json), in: realm)
        }
    }
}
