import Crypto
import Foundation

/// The string an agent signs for one request (wire-formats §5): five lines joined by `\n`,
/// no trailing newline —
///
/// ```
/// POST
/// /deploy?env=prod
/// 1767225600
/// 9f86d081884c7d65
/// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
/// ```
///
/// the upper-case method, the request target (path and query exactly as sent, never
/// re-encoded), `ts`, `nonce`, and the lowercase hex SHA-256 of the raw body bytes (of the
/// empty string when there is none). Signer and verifier both build it here.
public struct AgentSignatureMessage: Sendable, Hashable {
    /// The method, upper-cased.
    public let method: String
    /// Path and query as they appear in the request line.
    public let target: String
    /// `ts` as written in the header (decimal unix seconds).
    public let timestamp: Int64
    public let nonce: String
    /// Lowercase hex SHA-256 of the body.
    public let bodyDigest: String

    /// The message for a request whose body digest is already known.
    public init(method: String, target: String, timestamp: Int64, nonce: String, bodyDigest: String) {
        self.method = method.uppercased()
        self.target = target
        self.timestamp = timestamp
        self.nonce = nonce
        self.bodyDigest = bodyDigest
    }

    /// The message for a request with `body` (empty for none).
    public init(method: String, target: String, timestamp: Int64, nonce: String, body: some Sequence<UInt8>) {
        self.init(method: method, target: target, timestamp: timestamp, nonce: nonce,
                  bodyDigest: Self.bodyDigest(body))
    }

    /// The UTF-8 bytes that are signed.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// The signed string.
    public var text: String { [method, target, String(timestamp), nonce, bodyDigest].joined(separator: "\n") }

    /// True when the message cannot be ambiguous: a method and target with no line breaks
    /// (a line break would let one request's fields pass for another's).
    public var isWellFormed: Bool {
        !method.isEmpty && !target.isEmpty && !method.utf8.contains(where: Self.isLineBreak)
            && !target.utf8.contains(where: Self.isLineBreak)
    }

    /// Lowercase hex SHA-256 of `body`, hashed from contiguous storage without a copy where
    /// the sequence has one (Array, ByteBuffer's view, Data).
    public static func bodyDigest(_ body: some Sequence<UInt8>) -> String {
        var hash = SHA256()
        let done: Void? = body.withContiguousStorageIfAvailable { buffer in hash.update(bufferPointer: UnsafeRawBufferPointer(buffer)) }
        if done == nil { hash.update(data: Array(body)) }
        return hex(hash.finalize())
    }

    /// The digest of the empty body.
    public static let emptyBodyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private static func isLineBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
