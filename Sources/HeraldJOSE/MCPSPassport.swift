import Crypto
import Foundation
import HeraldCore

/// An MCPS agent passport (wire-formats §4), byte-compatible with mcps-secure 1.0
/// `create_passport` / `sign_passport`: the signature is ES256 over the JCS of every member
/// except `signature`, low-S, standard base64 with padding (``MCPSSignature``).
public struct MCPSPassport: Sendable, Hashable {
    /// `mcps_version`.
    public static let version = "1.0"
    /// Prefix of `passport_id` (`asp_` + 32 lowercase hex).
    public static let idPrefix = "asp_"
    /// mcps-secure `MAX_ISSUER_CHAIN_DEPTH`.
    public static let maxIssuerChain = 5
    /// mcps-secure `MAX_PASSPORT_BYTES`: the JCS of the signed passport.
    public static let maxBytes = 8192
    /// mcps-secure `MAX_CAPABILITIES` (it truncates; Herald refuses more on issue).
    public static let maxCapabilities = 64

    public var passportID: String
    public var agent: PassportAgent
    /// The agent's key (EC P-256), written without `kid`.
    public var publicKey: PublicJWK
    /// The server origin the passport is bound to; null when unbound.
    public var origin: String?
    /// SDLC scan results: `null` or an object.
    public var scan: JCSValue
    public var trustLevel: TrustLevel
    /// Issue time; written with millisecond precision (``MCPSTimestamp``).
    public var issuedAt: Date
    public var expiresAt: Date
    /// The realm's issuer URL.
    public var issuer: String
    /// Standard padded base64 of intermediate TA passports; empty for a direct issue.
    public var issuerChain: [String]

    public init(passportID: String = MCPSPassport.newID(), agent: PassportAgent, publicKey: PublicJWK,
                origin: String?, scan: JCSValue = .null, trustLevel: TrustLevel, issuedAt: Date, expiresAt: Date,
                issuer: String, issuerChain: [String] = []) {
        self.passportID = passportID
        self.agent = agent
        self.publicKey = publicKey
        self.origin = origin
        self.scan = scan
        self.trustLevel = trustLevel
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.issuer = issuer
        self.issuerChain = issuerChain
    }

    /// A fresh passport id: `asp_` + 128 random bits as 32 lowercase hex digits.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return idPrefix + hex(high) + hex(low)
    }

    /// True for `asp_` followed by exactly 32 lowercase hex digits.
    public static func isWellFormedID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 36, id.hasPrefix(idPrefix) else { return false }
        return bytes[4...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The passport object without `signature`: what is signed.
    public var jcsValue: JCSValue {
        .object([
            "mcps_version": .string(Self.version),
            "passport_id": .string(passportID),
            "agent": agent.jcsValue,
            "public_key": publicKey.jcsValue,
            "origin": origin.map(JCSValue.string) ?? .null,
            "scan": scan,
            "trust_level": .int(Int64(trustLevel.rawValue)),
            "issued_at": .string(MCPSTimestamp.format(issuedAt)),
            "expires_at": .string(MCPSTimestamp.format(expiresAt)),
            "issuer": .string(issuer),
            "issuer_chain": .array(issuerChain.map(JCSValue.string)),
        ])
    }

    /// The bytes the signature covers: JCS of ``jcsValue``.
    public var signingInput: [UInt8] { JCS.canonicalize(jcsValue) }

    /// Signs with the trust authority's P-256 `key`; refuses a passport mcps-secure's
    /// `validate_passport_format` would refuse (id, key type, chain depth, size).
    public func signed(with key: SigningKey) throws -> SignedMCPSPassport {
        guard Self.isWellFormedID(passportID) else {
            throw JOSEError(.malformed, "passport_id must be asp_ and 32 lowercase hex digits")
        }
        guard publicKey.algorithm == .es256 else { throw JOSEError(.invalidKey, "an MCPS passport's public_key is EC P-256") }
        guard agent.capabilities.count <= Self.maxCapabilities else {
            throw JOSEError(.malformed, "at most \(Self.maxCapabilities) capabilities")
        }
        guard issuerChain.count <= Self.maxIssuerChain else {
            throw JOSEError(.malformed, "issuer_chain deeper than \(Self.maxIssuerChain)")
        }
        guard scan.isNull || scan.objectValue != nil else { throw JOSEError(.malformed, "scan must be null or an object") }
        let object = jcsValue
        guard !JCS.isOrderAmbiguous(object) else {
            throw JOSEError(.notCanonicalizable, "member names in the passport (in scan or agent) sort differently by "
                + "UTF-16 (RFC 8785) and by code point (mcps-secure); a verifier could not reproduce the signed bytes")
        }
        let input = JCS.canonicalize(object)
        let signature = try MCPSSignature.sign(input, with: key)
        let signed = SignedMCPSPassport(passport: self, signature: signature, canonical: input)
        // `json` is as long as the JCS of the signed passport, which mcps-secure measures.
        guard signed.json.count <= Self.maxBytes else {
            throw JOSEError(.malformed, "the signed passport is \(signed.json.count) bytes canonical, more than \(Self.maxBytes)")
        }
        return signed
    }
}
