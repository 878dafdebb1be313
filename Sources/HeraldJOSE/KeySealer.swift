import Crypto
import Foundation

/// Seals private signing keys at rest with AES-256-GCM. The realm and kid are the
/// associated data, so a sealed key copied onto another row does not open.
public struct KeySealer: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    public func seal(_ plaintext: [UInt8], realm: String, kid: String) throws -> [UInt8] {
        do {
            return Array(try AES.GCM.seal(plaintext, using: key, authenticating: Self.context(realm, kid)).combined!)
        } catch {
            throw JOSEError(.sealing, "sealing the private key failed: \(error)")
        }
    }

    public func open(_ sealed: [UInt8], realm: String, kid: String) throws -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: Self.context(realm, kid)))
        } catch {
            throw JOSEError(.sealing,
                            "the private key of \(realm)/\(kid) does not open: wrong master key or damaged row")
        }
    }

    private static func context(_ realm: String, _ kid: String) -> [UInt8] {
        Array("herald-signing-key:v1:\(realm):\(kid)".utf8)
    }
}
