import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 32-byte root secret under which Herald seals private keys and digests client
/// secrets. Kept in a file outside the database (`HERALD_MASTER_KEY_FILE`, else
/// `data/master.key`), so a copy of the database alone reveals neither.
public struct MasterKey: Sendable {
    private let key: SymmetricKey

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw JOSEError(.invalidKey, "a master key is 32 bytes, this one is \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// Seals and opens private signing keys.
    public var keySealer: KeySealer { KeySealer(key: derive("herald/signing-key-encryption/v1")) }
    /// Digests client secrets.
    public var secretHasher: SecretHasher { SecretHasher(key: derive("herald/client-secret-digest/v1")) }

    private func derive(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array(purpose.utf8), outputByteCount: 32)
    }

    /// Reads the key file (base64 text, or 32 raw bytes).
    public static func load(path: String) throws -> MasterKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JOSEError(.invalidKey, "cannot read the master key file \(path)")
        }
        if data.count == 32 { return try MasterKey(bytes: Array(data)) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decoded = Data(base64Encoded: text) else {
            throw JOSEError(.invalidKey, "the master key file \(path) is neither 32 raw bytes nor base64 text")
        }
        return try MasterKey(bytes: Array(decoded))
    }

    /// Loads the key file, or creates it with a new random key and mode 0600 when absent.
    /// Returns whether it was created.
    public static func loadOrCreate(path: String) throws -> (key: MasterKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try load(path: path), false) }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let text = Array((Data(bytes).base64EncodedString() + "\n").utf8)
        // O_EXCL: two processes starting at once must not both write a key.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return (try load(path: path), false) }
            throw JOSEError(.invalidKey, "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            unlink(path)
            throw JOSEError(.invalidKey, "cannot write the master key file \(path)")
        }
        return (try MasterKey(bytes: bytes), true)
    }

    /// Whether the file can be read by anyone but its owner.
    public static func isTooOpen(path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attributes[.posixPermissions] as? NSNumber
        else { return false }
        return mode.intValue & 0o077 != 0
    }
}
