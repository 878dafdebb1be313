import Foundation
import HeraldJOSE
import HeraldVerifier

/// The mcps-secure 1.0 signed message envelope (`mcp_secure.sign_message`) that
/// `herald sign-request --format mcps` writes around a JSON-RPC message:
///
/// ```json
/// {"id":1,"jsonrpc":"2.0","method":"tools/call","params":{…},
///  "mcps":{"version":"1.0","passport_id":"asp_…","timestamp":"2026-…Z","nonce":"<32 hex>","signature":"<base64 r‖s>"}}
/// ```
///
/// `signature` is ES256 (low-S, standard base64) over the JCS of
/// `{"message_hash","nonce","passport_id","timestamp"}`, where `message_hash` is the hex
/// SHA-256 of the JCS of the message. Member names are ordered by code point, as
/// mcps-secure's `canonical_json` orders them (RFC 8785 orders by UTF-16; the two differ
/// only for names outside the Basic Multilingual Plane).
enum SignRequestMCPSEnvelope {
    /// The envelope, as JSON bytes, for the JSON object `body`.
    static func sign(body: [UInt8], passportID: String, key: SigningKey, now: Date = Date()) throws -> [UInt8] {
        guard key.algorithm == .es256 else {
            throw CLIError.usage("MCPS signs with ES256; the key is \(key.algorithm.rawValue)")
        }
        let message: JCSValue
        do { message = try JCSParser.parse(body) } catch {
            throw CLIError.usage("--format mcps needs a JSON object body (a JSON-RPC message) of strings, booleans, null, "
                + "integers, arrays and objects: \(error)")
        }
        guard var members = message.objectValue else {
            throw CLIError.usage("--format mcps needs a JSON object body (a JSON-RPC message)")
        }
        guard members["mcps"] == nil else {
            throw CLIError.usage("the message already has an mcps member; sign the bare JSON-RPC message")
        }
        var random = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let timestamp = MCPSTimestamp.format(now)
        let hash = AgentSignatureMessage.bodyDigest(JCS.canonicalize(message, order: .codePoint))
        let payload = MCPSEnvelope.signaturePayload(messageHash: hash, nonce: nonce, passportID: passportID,
                                                    timestamp: timestamp)
        let signature: String
        do { signature = try MCPSSignature.sign(payload, with: key) } catch {
            throw CLIError.usage("signing failed: \(error)")
        }
        members["mcps"] = .object([
            "version": "1.0", "passport_id": .string(passportID), "timestamp": .string(timestamp),
            "nonce": .string(nonce), "signature": .string(signature),
        ])
        return JCS.canonicalize(.object(members), order: .codePoint)
    }
}
