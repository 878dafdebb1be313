import Foundation
import HeraldCore

/// The `Agent-Signature` request header of wire-formats §5:
///
/// ```
/// Agent-Signature: keyid="<kid>", alg="ES256", ts="<unix seconds>", nonce="<≥16 hex>", trust="L3", sig="<base64 r‖s>"
/// ```
///
/// Reading is strict, because every accepted spelling is one more thing an attacker may
/// vary: each parameter at most once (two header lines combined by a proxy show up as a
/// duplicate), no parameter outside the six, every value a quoted string of visible ASCII
/// without escapes, `ts` decimal without sign or leading zeros (it is signed as written),
/// `nonce` 16–256 hex digits, `trust` exactly `L0`…`L4`, and `sig` the one canonical
/// padded standard-base64 spelling of 64 bytes. Parameters may come in any order; `trust`
/// may be left out (the passport's level then applies).
public struct AgentSignatureHeader: Sendable, Hashable {
    /// The header's field name.
    public static let name = "Agent-Signature"
    /// Longer values are refused before parsing (a real one is about 250 bytes).
    public static let maximumLength = 1024
    /// The fewest hex digits a nonce may have (64 bits of randomness).
    public static let minimumNonceLength = 16
    /// The most hex digits a nonce may have (bounds the replay cache's memory per entry).
    public static let maximumNonceLength = 256

    /// `keyid`: the RFC 7638 thumbprint (or declared kid) of the passport's `cnf.jwk`.
    public var keyID: String
    /// `alg`: `ES256` or `EdDSA`; checked by the verifier against the passport's key.
    public var algorithm: String
    /// `ts`: unix seconds when the agent signed.
    public var timestamp: Int64
    /// `nonce`: hex digits, unique per request within the skew window.
    public var nonce: String
    /// `trust`: the level the agent asks to act at; nil when absent.
    public var trust: TrustLevel?
    /// `sig`: the 64 signature bytes (ES256 r‖s, or Ed25519).
    public var signature: [UInt8]

    public init(keyID: String, algorithm: String, timestamp: Int64, nonce: String, trust: TrustLevel?,
                signature: [UInt8]) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.timestamp = timestamp
        self.nonce = nonce
        self.trust = trust
        self.signature = signature
    }

    /// The header value, parameters in the order of wire-formats §5.
    public var rendered: String {
        var parts = ["keyid=\"\(keyID)\"", "alg=\"\(algorithm)\"", "ts=\"\(timestamp)\"", "nonce=\"\(nonce)\""]
        if let trust { parts.append("trust=\"\(trust.name)\"") }
        parts.append("sig=\"\(Data(signature).base64EncodedString())\"")
        return parts.joined(separator: ", ")
    }

    /// Reads a header value; throws the first mistake found.
    public init(parsing value: String) throws(AgentSignatureHeaderError) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength else {
            throw AgentSignatureHeaderError(.length, bytes.isEmpty
                ? "the Agent-Signature header is empty"
                : "the Agent-Signature header is \(bytes.count) bytes; at most \(Self.maximumLength) are read")
        }
        var parameters: [String: String] = [:]
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        skipSpace()
        while true {
            let nameStart = index
            while index < bytes.count, (0x61...0x7A).contains(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            guard !name.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw AgentSignatureHeaderError(.badQuoting, name.isEmpty
                    ? "expected a lowercase parameter name at byte \(nameStart + 1) of the Agent-Signature header"
                    : "parameter \(name) must be followed by =\"value\" with no space")
            }
            guard Self.parameterNames.contains(name) else {
                throw AgentSignatureHeaderError(.unknownParameter,
                                                "unknown parameter \(name); Agent-Signature has keyid, alg, ts, nonce, trust and sig")
            }
            index += 1
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw AgentSignatureHeaderError(.badQuoting, "the value of \(name) must be a quoted string: \(name)=\"…\"")
            }
            index += 1
            let valueStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                let byte = bytes[index]
                guard byte != UInt8(ascii: "\\") else {
                    throw AgentSignatureHeaderError(.badQuoting, "the value of \(name) holds a backslash; escapes are not allowed")
                }
                guard (0x21...0x7E).contains(byte) else {
                    throw AgentSignatureHeaderError(.badQuoting,
                                                    "the value of \(name) holds a space, control or non-ASCII character")
                }
                index += 1
            }
            guard index < bytes.count else {
                throw AgentSignatureHeaderError(.badQuoting, "the value of \(name) has no closing quote")
            }
            let text = String(decoding: bytes[valueStart..<index], as: UTF8.self)
            index += 1
            guard parameters.updateValue(text, forKey: name) == nil else {
                throw AgentSignatureHeaderError(.duplicateParameter,
                                                "parameter \(name) appears twice (send one Agent-Signature header, each parameter once)")
            }
            skipSpace()
            if index == bytes.count { break }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw AgentSignatureHeaderError(.badQuoting, "expected a comma after the value of \(name)")
            }
            index += 1
            skipSpace()
        }
        try self.init(parameters: parameters)
    }

    private static let parameterNames: Set<String> = ["keyid", "alg", "ts", "nonce", "trust", "sig"]

    private init(parameters: [String: String]) throws(AgentSignatureHeaderError) {
        for name in ["keyid", "alg", "ts", "nonce", "sig"] where parameters[name] == nil {
            throw AgentSignatureHeaderError(.missingParameter, "parameter \(name) is missing from the Agent-Signature header")
        }
        let keyID = parameters["keyid"]!, algorithm = parameters["alg"]!
        let ts = parameters["ts"]!, nonce = parameters["nonce"]!, sig = parameters["sig"]!
        for (name, value) in [("keyid", keyID), ("alg", algorithm)] where value.isEmpty {
            throw AgentSignatureHeaderError(.emptyValue, "parameter \(name) is empty")
        }
        guard let timestamp = Self.timestamp(ts) else {
            throw AgentSignatureHeaderError(.invalidTimestamp,
                                            "ts must be unix seconds in decimal digits, without sign or leading zeros")
        }
        guard (Self.minimumNonceLength...Self.maximumNonceLength).contains(nonce.utf8.count),
              nonce.utf8.allSatisfy(\.isHexDigit)
        else {
            throw AgentSignatureHeaderError(.invalidNonce, "nonce must be \(Self.minimumNonceLength) to "
                + "\(Self.maximumNonceLength) hexadecimal digits (it has \(nonce.utf8.count) characters)")
        }
        var trust: TrustLevel?
        if let text = parameters["trust"] {
            guard text.utf8.count == 2, text.first == "L", let level = TrustLevel(name: text) else {
                throw AgentSignatureHeaderError(.invalidTrust, "trust must be one of L0, L1, L2, L3, L4")
            }
            trust = level
        }
        guard let raw = Data(base64Encoded: sig), raw.count == 64, raw.base64EncodedString() == sig else {
            throw AgentSignatureHeaderError(.invalidSignature,
                                            "sig must be standard base64 with padding (88 characters) of the 64-byte signature r‖s")
        }
        self.init(keyID: keyID, algorithm: algorithm, timestamp: timestamp, nonce: nonce, trust: trust,
                  signature: Array(raw))
    }

    private static func timestamp(_ text: String) -> Int64? {
        let digits = Array(text.utf8)
        guard (1...12).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
              digits.count == 1 || digits[0] != 0x30
        else { return nil }
        return Int64(text)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
