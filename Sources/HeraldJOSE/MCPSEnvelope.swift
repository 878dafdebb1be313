import Crypto
import Foundation

/// The other signed MCPS objects (mcps-secure 1.0 `sign_message`, `sign_tool`): how their
/// signed bytes are formed. Signatures over them use ``MCPSSignature``.
public enum MCPSEnvelope {
    /// Lowercase hex SHA-256 of the JCS of a JSON-RPC message (the envelope without `mcps`).
    public static func messageHash(_ message: JCSValue) -> String {
        hex(SHA256.hash(data: JCS.canonicalize(message)))
    }

    /// The bytes an envelope's `mcps.signature` covers: JCS of
    /// `{"message_hash","nonce","passport_id","timestamp"[,"channel_binding"]}`.
    public static func signaturePayload(messageHash: String, nonce: String, passportID: String, timestamp: String,
                                        channelBinding: String? = nil) -> [UInt8] {
        var members: [String: JCSValue] = [
            "message_hash": .string(messageHash), "nonce": .string(nonce),
            "passport_id": .string(passportID), "timestamp": .string(timestamp),
        ]
        if let channelBinding { members["channel_binding"] = .string(channelBinding) }
        return JCS.canonicalize(.object(members))
    }

    /// The bytes a tool signature covers: JCS of
    /// `{"author_origin","description","inputSchema","name"}` (`inputSchema` defaults to `{}`,
    /// `author_origin` to null). Throws when `tool` lacks a string name or description.
    public static func toolPayload(_ tool: JCSValue, authorOrigin: String?) throws -> [UInt8] {
        guard let name = tool["name"]?.stringValue, let description = tool["description"]?.stringValue else {
            throw JOSEError(.malformed, "a tool needs string name and description")
        }
        return JCS.canonicalize(.object([
            "author_origin": authorOrigin.map(JCSValue.string) ?? .null,
            "description": .string(description),
            "inputSchema": tool["inputSchema"] ?? .object([:]),
            "name": .string(name),
        ]))
    }

    /// Lowercase hex of a digest.
    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
