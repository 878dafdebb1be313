import Crypto
import Foundation
import HeraldCore

/// The protected header members Herald reads.
public struct JOSEHeader: Sendable, Hashable, Decodable {
    public var alg: String
    public var typ: String?
    public var kid: String?
    public var crit: [String]?
}

/// A compact JWS that has not been verified: nothing in it may be trusted yet except for
/// choosing the key (architecture convention 2).
public struct UnverifiedJWS: Sendable {
    public let header: JOSEHeader
    let signingInput: [UInt8]
    let payload: [UInt8]
    let signature: [UInt8]

    /// The payload before verification: only for choosing whose keys to verify with.
    public var unverifiedPayload: [UInt8] { payload }

    /// Splits and decodes `token`; refuses anything that is not three base64url segments
    /// with a JSON header naming an algorithm and a JSON payload, or whose header or payload
    /// names a member twice (``JCSParser/checkUniqueMemberNames(_:)``).
    public init(compact token: String) throws {
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw JOSEError(.malformed, "a compact JWS has three dot-separated parts, this has \(parts.count)")
        }
        guard let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2])
        else { throw JOSEError(.malformed, "a JWS part is not base64url without padding") }
        if let fast = JOSEHeader(fastParsing: headerBytes) {
            header = fast  // read by JCSParser, which refuses duplicate members itself
        } else {
            do { try JCSParser.checkUniqueMemberNames(headerBytes) } catch {
                throw JOSEError(.malformed, "the JWS header is not JSON with unique member names: \(Self.reason(error))")
            }
            do {
                header = try JSONDecoder().decode(JOSEHeader.self, from: Data(headerBytes))
            } catch {
                throw JOSEError(.malformed, "the JWS header is not a JSON object with a string alg")
            }
        }
        if let crit = header.crit {
            throw JOSEError(.malformed, "the JWS header marks extensions critical (\(crit)); none are supported")
        }
        do { try JCSParser.checkUniqueMemberNames(payload) } catch {
            throw JOSEError(.malformed, "the JWS payload is not JSON with unique member names: \(Self.reason(error))")
        }
        self.signingInput = Array(bytes[..<(parts[0].count + 1 + parts[1].count)])
        self.payload = payload
        self.signature = signature
    }

    /// Checks the signature with the one key in `keys` the header selects and returns the
    /// verified payload. The algorithm must be the key's own: `none`, HMAC and any
    /// algorithm other than the key's are refused before any cryptography runs. An ES256
    /// signature must be low-S (``ECDSALowS``): Herald and its federation peers sign low-S,
    /// so the high-S twin of one of their signatures is a malleated copy.
    public func verify(with keys: [PublicJWK]) throws -> VerifiedJWS {
        try verify(with: keys, acceptingHighS: false)
    }

    /// ``verify(with:)``, with high-S ES256 signatures accepted when `acceptingHighS`: only
    /// for JWSs from third-party signers, which RFC 7518 §3.4 lets use either half (client
    /// assertions from PyJWT, joserfc, …), or signed before Herald normalized s (stored
    /// audit checkpoints).
    public func verify(with keys: [PublicJWK], acceptingHighS: Bool) throws -> VerifiedJWS {
        guard let algorithm = SigningAlgorithm(rawValue: header.alg) else {
            throw JOSEError(.unsupportedAlgorithm, "alg \(header.alg) is not accepted; use ES256 or EdDSA")
        }
        let candidates = keys.filter { key in
            key.algorithm == algorithm && (header.kid == nil || header.kid == key.kid || header.kid == key.thumbprint)
        }
        guard !candidates.isEmpty else {
            if keys.contains(where: { $0.algorithm == algorithm }) {
                throw JOSEError(.unknownKey, "no registered key has kid \(header.kid ?? "")")
            }
            throw JOSEError(.algorithmKeyMismatch, "alg \(header.alg) does not match any registered key's algorithm")
        }
        if algorithm == .es256, !acceptingHighS, ECDSALowS.isHigh(signature) {
            throw JOSEError(.badSignature, "the signature is not low-S (s above n/2: the malleated twin of another)")
        }
        for key in candidates where Self.isValid(signature, of: signingInput, by: key) {
            return VerifiedJWS(header: header, payload: payload, key: key)
        }
        throw JOSEError(.badSignature, "the signature does not verify")
    }

    private static func reason(_ error: any Error) -> String { (error as? JOSEError)?.reason ?? "\(error)" }

    static func isValid(_ signature: [UInt8], of input: [UInt8], by key: PublicJWK) -> Bool {
        switch key.material {
        case .p256(let publicKey):
            guard signature.count == 64,
                  let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return publicKey.isValidSignature(parsed, for: input)
        case .ed25519(let publicKey):
            return signature.count == 64 && publicKey.isValidSignature(signature, for: input)
        }
    }
}

/// A JWS whose signature a known key has verified.
public struct VerifiedJWS: Sendable {
    public let header: JOSEHeader
    public let payload: [UInt8]
    public let key: PublicJWK
}
