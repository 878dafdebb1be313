import Foundation
import HeraldCore

/// The body of `GET {issuer}/api/verify/{passport_id}` (wire-formats §4), as mcps-secure
/// 1.0 `check_revocation` reads it: it takes `status` (`revoked` is `status == "REVOKED"`),
/// `reason` and `revoked_at`, and reports `verified: True` only when `signature` verifies
/// over the JCS of every other member it received. Members that are nil are left out
/// rather than written as `null` (as in the golden vector), so what is signed is exactly
/// what is sent either way.
public struct MCPSRevocationResponse: Sendable, Hashable {
    /// The four answers of the MCPS trust authority.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case valid = "VALID"
        case revoked = "REVOKED"
        case expired = "EXPIRED"
        case unknown = "UNKNOWN"
    }

    public var passportID: String
    public var status: Status
    /// Why the passport is not valid (the kill reason, "expired", …).
    public var reason: String?
    public var revokedAt: Date?
    public var trustLevel: TrustLevel?
    public var checkedAt: Date

    public init(passportID: String, status: Status, reason: String? = nil, revokedAt: Date? = nil,
                trustLevel: TrustLevel? = nil, checkedAt: Date) {
        self.passportID = passportID
        self.status = status
        self.reason = reason
        self.revokedAt = revokedAt
        self.trustLevel = trustLevel
        self.checkedAt = checkedAt
    }

    /// The members without `signature`, nil ones left out.
    public var jcsValue: JCSValue {
        var members: [String: JCSValue] = [
            "passport_id": .string(passportID),
            "status": .string(status.rawValue),
            "checked_at": .string(MCPSTimestamp.format(checkedAt)),
        ]
        if let reason { members["reason"] = .string(reason) }
        if let revokedAt { members["revoked_at"] = .string(MCPSTimestamp.format(revokedAt)) }
        if let trustLevel { members["trust_level"] = .int(Int64(trustLevel.rawValue)) }
        return .object(members)
    }

    /// The JSON body: the canonical members, then `signature` (ES256 by the trust-authority
    /// key over their JCS, low-S, standard base64).
    public func signedBody(with key: SigningKey) throws -> [UInt8] {
        var out = JCS.canonicalize(jcsValue)
        let signature = try MCPSSignature.sign(out, with: key)
        out.removeLast()
        out.append(contentsOf: #","signature":"#.utf8)
        JSONWriter.appendString(signature, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Checks a response body as `check_revocation` does: true when `signature` verifies
    /// over the JCS of the other members with `key`.
    public static func isSignatureValid(body: [UInt8], key: PublicJWK) -> Bool {
        guard case .object(var members)? = try? JCSParser.parse(body),
              let signature = members.removeValue(forKey: "signature")?.stringValue
        else { return false }
        return MCPSSignature.isValid(signature, over: .object(members), by: key)
    }
}
