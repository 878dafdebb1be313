import Foundation
import HeraldJOSE

/// Reads a JWKS fetched from someone else's endpoint. Unlike `PublicJWK.parseSet`, a key
/// of a type or curve Herald does not verify with (an RSA encryption key beside the EC
/// signing keys, say) is skipped rather than failing the whole set: IdPs publish such keys
/// routinely, and refusing the set would refuse every token. A skipped key simply cannot
/// verify anything, so skipping fails closed for its `kid`.
enum JWKSDocument {
    struct Parsed: Sendable {
        let keys: [PublicJWK]
        /// One line per skipped key, for the log.
        let skipped: [String]
    }

    static func parse(_ body: [UInt8], url: String) throws(JWKSFetchError) -> Parsed {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            throw JWKSFetchError(.malformed, "the JWKS at \(url) is not JSON")
        }
        guard let document = object as? [String: Any], let entries = document["keys"] as? [Any] else {
            throw JWKSFetchError(.malformed, "the JWKS at \(url) is not an object with a \"keys\" array")
        }
        var keys: [PublicJWK] = []
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let members = entry as? [String: Any],
                  let data = try? JSONSerialization.data(withJSONObject: members)
            else {
                skipped.append("keys[\(index)] is not a JSON object")
                continue
            }
            do { keys.append(try PublicJWK(json: data)) } catch {
                let kid = (members["kid"] as? String).map { " (kid \($0))" } ?? ""
                skipped.append("keys[\(index)]\(kid): \((error as? JOSEError)?.reason ?? "\(error)")")
            }
        }
        guard !keys.isEmpty else {
            let detail = skipped.isEmpty ? "it is empty" : "skipped: " + skipped.joined(separator: "; ")
            throw JWKSFetchError(.malformed, "the JWKS at \(url) has no key Herald can verify with (\(detail))")
        }
        return Parsed(keys: keys, skipped: skipped)
    }
}
