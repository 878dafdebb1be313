import Foundation
import HeraldCore

/// A signed MCPS passport ready to send.
public struct SignedMCPSPassport: Sendable, Hashable {
    public let passport: MCPSPassport
    /// Standard base64 of the 64-byte low-S r‖s.
    public let signature: String
    /// The JCS bytes the signature covers.
    public let canonical: [UInt8]

    init(passport: MCPSPassport, signature: String, canonical: [UInt8]) {
        self.passport = passport
        self.signature = signature
        self.canonical = canonical
    }

    /// The passport object: its canonical members, then `signature` (readers take members
    /// in any order; this one makes the bytes stable for a given signature).
    public var json: [UInt8] {
        var out = canonical
        out.removeLast()  // "}"
        out.append(contentsOf: #","signature":"#.utf8)
        JSONWriter.appendString(signature, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The passport object with `signature` as a value.
    public var jcsValue: JCSValue {
        guard case .object(var members) = passport.jcsValue else { return passport.jcsValue }
        members["signature"] = .string(signature)
        return .object(members)
    }
}
