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
        /// The keys as `ThirdPartyJWK`s: with RSA ones when they were asked for, else `keys`.
        let thirdParty: [ThirdPartyJWK]
        /// One line per skipped key, for the log.
        let skipped: [String]
    }

    /// With `acceptsRSAKeys`, each key is also read as a `ThirdPartyJWK` (RS256 too, never an
    /// encryption key), and the set is usable when that reading finds a key.
    static func parse(_ body: [UInt8], url: String, acceptsRSAKeys: Bool = false) throws(JWKSFetchError) -> Parsed {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            throw JWKSFetchError(.malformed, "the JWKS at \(url) is not JSON")
        }
        guard let document = object as? [String: Any], let entries = document["keys"] as? [Any] else {
            throw JWKSFetchError(.malformed, "the JWKS at \(url) is not an object with a \"keys\" array")
        }
        var keys: [PublicJWK] = []
        var thirdParty: [ThirdPartyJWK] = []
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let members = entry as? [String: Any],
                  let data = try? JSONSerialization.data(withJSONObject: members)
            else {
                skipped.append("keys[\(index)] is not a JSON object")
                continue
            }
            let kid = (members["kid"] as? String).map { " (kid \($0))" } ?? ""
            do { keys.append(try PublicJWK(json: data)) } catch where !acceptsRSAKeys {
                skipped.append("keys[\(index)]\(kid): \((error as? JOSEError)?.reason ?? "\(error)")")
            } catch {}
            guard acceptsRSAKeys else { continue }
            // The one-key set is read by HeraldJOSE's own rules, so an issuer verifies an
            // upstream IdP's RS256 tokens exactly as `verify(withThirdParty:)` expects.
            let single = Data(#"{"keys":["#.utf8) + data + Data("]}".utf8)
            do { thirdParty += try ThirdPartyJWK.parseSet(json: single).keys } catch {
                let reason = (error as? JOSEError)?.reason ?? "\(error)"
                skipped.append("keys[\(index)]\(kid): " + (reason.hasPrefix("keys[0]: ") ? String(reason.dropFirst(9)) : reason))
            }
        }
        if !acceptsRSAKeys { thirdParty = keys.map(ThirdPartyJWK.standard) }
        guard acceptsRSAKeys ? !thirdParty.isEmpty : !keys.isEmpty else {
            let detail = skipped.isEmpty ? "it is empty" : "skipped: " + skipped.joined(separator: "; ")
            throw JWKSFetchError(.malformed, "the JWKS at \(url) has no key Herald can verify with (\(detail))")
        }
        return Parsed(keys: keys, thirdParty: thirdParty, skipped: skipped)
    }
}
