import Foundation
import HeraldCore

/// An MCPS passport as received: parsed and checked for shape (mcps-secure's
/// `validate_passport_format`, less the expiry check, which is the verifier's policy), but
/// not yet trusted (architecture convention 2). Only ``verify(with:)`` makes a
/// ``VerifiedMCPSPassport``.
public struct UnverifiedMCPSPassport: Sendable {
    /// The fields, read before verification: only for choosing keys and for error messages.
    public let unverifiedPassport: MCPSPassport
    /// The `signature` member.
    public let signature: String
    /// JCS of every member except `signature`, members not modelled by ``MCPSPassport``
    /// (such as `key_rotation`) included: exactly what mcps-secure verifies.
    public let signingInput: [UInt8]
    /// The members except `signature`, for the code-point-order retry.
    private let unsignedMembers: [String: JCSValue]

    /// Parses the JSON text of a passport.
    public init<Bytes: Collection>(json: Bytes) throws where Bytes.Element == UInt8 {
        try self.init(document: try JCSParser.parse(Array(json), canonicalExcluding: "signature"))
    }

    /// Reads a passport parsed with ``JCSParser/parse(_:canonicalExcluding:)`` excluding
    /// `signature`: when the text was canonical, the signed bytes are cut from it instead
    /// of re-serialized.
    public init(document: JCSDocument) throws {
        try self.init(document.value, canonicalSigningInput: document.excludedMember == "signature" ? document.canonicalRest : nil)
    }

    /// Reads a parsed passport object.
    public init(_ value: JCSValue) throws {
        try self.init(value, canonicalSigningInput: nil)
    }

    private init(_ value: JCSValue, canonicalSigningInput: [UInt8]?) throws {
        guard case .object(var members) = value else { throw JOSEError(.malformed, "an MCPS passport is a JSON object") }
        guard let signatureValue = members.removeValue(forKey: "signature") else {
            throw JOSEError(.malformed, "the passport has no signature")
        }
        guard let signature = signatureValue.stringValue, !signature.isEmpty else {
            throw JOSEError(.malformed, "signature must be a non-empty base64 string")
        }
        func string(_ name: String) throws -> String {
            guard let member = members[name] else { throw JOSEError(.malformed, "the passport has no \(name)") }
            guard let text = member.stringValue else {
                throw JOSEError(.malformed, "\(name) must be a string, not \(member.typeName)")
            }
            return text
        }
        func time(_ name: String) throws -> Date {
            let text = try string(name)
            guard let date = MCPSTimestamp.parse(text) else {
                throw JOSEError(.malformed, "\(name) \"\(text)\" is not an ISO-8601 time with Z or an offset")
            }
            return date
        }
        let version = try string("mcps_version")
        guard version == MCPSPassport.version else {
            throw JOSEError(.malformed, "mcps_version is \(version), expected \(MCPSPassport.version)")
        }
        let passportID = try string("passport_id")
        guard passportID.hasPrefix(MCPSPassport.idPrefix) else {
            throw JOSEError(.malformed, "passport_id \(passportID) does not start with \(MCPSPassport.idPrefix)")
        }
        guard let keyValue = members["public_key"], !keyValue.isNull else {
            throw JOSEError(.malformed, "the passport has no public_key")
        }
        let publicKey: PublicJWK
        do { publicKey = try PublicJWK(jcs: keyValue) } catch let error as JOSEError {
            throw JOSEError(.malformed, "public_key: \(error.reason)")
        }
        guard let levelValue = members["trust_level"]?.intValue, let level = TrustLevel(rawValue: Int(levelValue)) else {
            throw JOSEError(.malformed, "trust_level must be an integer 0–4")
        }
        var origin: String?
        if let value = members["origin"], !value.isNull {
            guard let text = value.stringValue else { throw JOSEError(.malformed, "origin must be a string or null") }
            origin = text
        }
        var chain: [String] = []
        if let value = members["issuer_chain"], !value.isNull {
            guard let entries = value.arrayValue else { throw JOSEError(.malformed, "issuer_chain must be an array") }
            guard entries.count <= MCPSPassport.maxIssuerChain else {
                throw JOSEError(.malformed, "issuer_chain has \(entries.count) entries, at most \(MCPSPassport.maxIssuerChain)")
            }
            chain = try entries.map { entry in
                guard let text = entry.stringValue else { throw JOSEError(.malformed, "issuer_chain entries are strings") }
                return text
            }
        }
        unverifiedPassport = MCPSPassport(
            passportID: passportID, agent: try PassportAgent(members["agent"]), publicKey: publicKey, origin: origin,
            scan: members["scan"] ?? .null, trustLevel: level, issuedAt: try time("issued_at"),
            expiresAt: try time("expires_at"), issuer: try string("issuer"), issuerChain: chain)
        self.signature = signature
        signingInput = canonicalSigningInput ?? JCS.canonicalize(.object(members))
        unsignedMembers = members
        // mcps-secure measures the JCS of the whole passport, signature included.
        let size = signingInput.count + #","signature":"""#.utf8.count + signature.utf8.count
        guard size <= MCPSPassport.maxBytes else {
            throw JOSEError(.malformed, "the passport is \(size) bytes canonical, more than \(MCPSPassport.maxBytes)")
        }
    }

    /// Checks the signature with each P-256 key of `keys` in turn (an MCPS passport names
    /// no key) and returns the verified passport with the key that signed it.
    public func verify(with keys: [PublicJWK]) throws -> VerifiedMCPSPassport {
        guard let parsed = MCPSSignature.parse(signature) else {
            if let raw = Data(base64Encoded: signature), raw.count == 64, ECDSALowS.isHigh(Array(raw)) {
                throw JOSEError(.badSignature, "the signature is not low-S (s above n/2: the malleated twin of another)")
            }
            throw JOSEError(.malformed, "signature is not standard base64 of 64 bytes (r‖s)")
        }
        var candidates = 0
        for key in keys {
            guard case .p256(let publicKey) = key.material else { continue }
            candidates += 1
            if publicKey.isValidSignature(parsed, for: signingInput) {
                return VerifiedMCPSPassport(passport: unverifiedPassport, signature: signature, key: key)
            }
        }
        guard candidates > 0 else { throw JOSEError(.unknownKey, "the key set has no P-256 key; MCPS passports are ES256") }
        // mcps-secure sorts members by code point; where that differs from RFC 8785, it
        // signed other bytes.
        if JCS.isOrderAmbiguous(.object(unsignedMembers)) {
            let alternative = JCS.canonicalize(.object(unsignedMembers), order: .codePoint)
            for key in keys {
                if case .p256(let publicKey) = key.material, publicKey.isValidSignature(parsed, for: alternative) {
                    return VerifiedMCPSPassport(passport: unverifiedPassport, signature: signature, key: key)
                }
            }
        }
        throw JOSEError(.badSignature, candidates == 1
            ? "the signature does not verify with the key"
            : "the signature does not verify with any of the \(candidates) P-256 keys")
    }
}

/// An MCPS passport whose signature a known key has verified. Expiry and issuer are the
/// relying party's policy (see HeraldVerifier's `PassportVerifier`).
public struct VerifiedMCPSPassport: Sendable {
    public let passport: MCPSPassport
    public let signature: String
    /// The trust-authority key that verified the signature.
    public let key: PublicJWK
}
