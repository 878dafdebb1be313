import Foundation
import HeraldJOSE

/// A trust bundle as fetched from a peer: a compact JWS whose size and shape have been
/// checked and nothing else (architecture convention 2). Only ``BundleVerifier`` turns it
/// into a ``VerifiedBundle``.
public struct UnverifiedBundle: Sendable {
    /// The default size limit: 32 MiB of compact JWS, room for about 200 000 agents with
    /// short ids (100 000 agents with UUID subs take about 19 MB).
    public static let defaultMaxBytes = 32 << 20

    /// The compact JWS, surrounding white space removed.
    public let compact: String
    let jws: UnverifiedJWS

    /// The protected header (`alg`, `typ`, `kid`), unverified.
    public var header: JOSEHeader { jws.header }

    /// Checks the size (before anything else) and splits the JWS. Refuses with
    /// `.oversized` beyond `maxBytes`, `.malformed` for anything that is not a compact JWS
    /// with a JSON header (or marks extensions critical).
    public init(compact: String, maxBytes: Int = UnverifiedBundle.defaultMaxBytes) throws(BundleRejection) {
        let size = compact.utf8.count
        guard size <= maxBytes else {
            throw BundleRejection(.oversized, "the bundle is \(size) bytes, over the limit of \(maxBytes)")
        }
        // Trimming copies the text; a bundle fetched over HTTP rarely needs it.
        let edges = [compact.utf8.first, compact.utf8.last].compactMap { $0 }
        let trimmed = edges.contains(where: { $0 <= 0x20 })
            ? compact.trimmingCharacters(in: .whitespacesAndNewlines) : compact
        guard !trimmed.isEmpty else { throw BundleRejection(.malformed, "the bundle is empty") }
        do { jws = try UnverifiedJWS(compact: trimmed) } catch {
            throw BundleRejection(.malformed, "not a compact JWS: \((error as? JOSEError)?.reason ?? "\(error)")")
        }
        self.compact = trimmed
    }

    /// The payload read without checking the signature: for display (`herald federation
    /// bundle show`) and diagnostics only, never for a trust decision.
    public func unverifiedContent() throws(BundleRejection) -> TrustBundle {
        try TrustBundle(payload: jws.unverifiedPayload)
    }
}
