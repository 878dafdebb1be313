import Foundation
import HeraldCore
import HeraldJOSE

/// Access tokens minted in the test as Herald's issuer writes them (wire-formats §2), and
/// any header or claim changed for the refusal under test.
struct TokenFixtures {
    let issuer: String
    let audience = "https://api.example.com"
    let key: SigningKey
    let now: Int64

    init(issuer: String = "https://herald.example/realms/acme", key: SigningKey = .generate(.es256),
         now: Int64 = Int64(Date().timeIntervalSince1970)) {
        self.issuer = issuer
        self.key = key
        self.now = now
    }

    /// The claims of an L3 token for `agent-7`, with a status entry at `statusIndex`.
    func claims(subject: String = "agent-7", level: Int64 = 3, statusIndex: Int64? = 5) -> [String: JCSValue] {
        var claims: [String: JCSValue] = [
            "iss": .string(issuer), "sub": .string(subject), "aud": .string(audience), "client_id": "pay-bot",
            "exp": .int(now + 300), "iat": .int(now), "nbf": .int(now), "jti": "t-1",
            "scope": "payments:write ledger:read",
            "realm_access": ["roles": [.string("mcps-l\(level)")]],
            "mcps": ["trust_level": .int(level), "trust_label": .string("L\(level) -- Elevated"), "payment_enabled": true,
                     "tx_limit": 1000, "day_limit": 5000, "scopes": "payment_initiate,sanctions_screen",
                     "trust_score": 71, "pipeline_stage": "ACTIVE"],
        ]
        if let statusIndex {
            claims["status"] = ["status_list": ["idx": .int(statusIndex), "uri": .string(issuer + "/statuslists/1")]]
        }
        return claims
    }

    /// A compact JWS over `claims` with `header` (default `{"alg":"ES256","typ":"at+jwt","kid":…}`),
    /// signed by `signer` (default: the issuer key).
    func token(_ claims: [String: JCSValue], header: [String: JCSValue]? = nil, signer: SigningKey? = nil) throws -> String {
        let signer = signer ?? key
        let header = header ?? ["alg": .string(signer.algorithm.rawValue), "typ": "at+jwt", "kid": .string(key.kid)]
        let input = Base64URL.encode(JCS.canonicalize(.object(header))) + "." + Base64URL.encode(JCS.canonicalize(.object(claims)))
        return input + "." + Base64URL.encode(try signer.sign(Array(input.utf8)))
    }

    /// A valid token with `change` applied to its claims.
    func token(_ change: (inout [String: JCSValue]) -> Void = { _ in }) throws -> String {
        var claims = claims()
        change(&claims)
        return try token(claims)
    }
}
