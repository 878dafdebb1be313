import Foundation
import HeraldCore
import HeraldJOSE

extension TrustBundle {
    /// Reads a bundle payload, strictly: every member of wire-formats §7 present with its
    /// type, levels 0–4, known statuses, no sub twice. Members it does not know are
    /// ignored, so a peer may add some.
    package init(payload: [UInt8]) throws(BundleRejection) {
        let value: JCSValue
        do { value = try JCSParser.parse(payload) } catch {
            throw BundleRejection(.malformed, "the bundle payload is not JSON: \((error as? JOSEError)?.reason ?? "\(error)")")
        }
        try self.init(jcs: value)
    }

    /// Reads a parsed bundle payload (see ``init(payload:)``).
    init(jcs value: JCSValue) throws(BundleRejection) {
        guard case .object(let members) = value else {
            throw BundleRejection(.malformed, "the bundle payload is not a JSON object")
        }
        func string(_ name: String) throws(BundleRejection) -> String {
            guard case .string(let text)? = members[name], !text.isEmpty else {
                throw BundleRejection(.malformed, "the bundle's \(name) must be a non-empty string")
            }
            return text
        }
        func integer(_ name: String) throws(BundleRejection) -> Int64 {
            guard case .int(let number)? = members[name], number >= 0 else {
                throw BundleRejection(.malformed, "the bundle's \(name) must be a non-negative integer")
            }
            return number
        }
        let iss = try string("iss")
        let iat = try integer("iat"), exp = try integer("exp")
        guard exp > iat else { throw BundleRejection(.malformed, "the bundle's exp (\(exp)) is not after its iat (\(iat))") }
        let sequence = try integer("sequence")
        let refreshHint = try integer("refresh_hint")
        var since: Int64?
        var removed: [String] = []
        if let sinceValue = members["since"], !sinceValue.isNull {
            guard case .int(let base) = sinceValue, base >= 0, base < sequence else {
                throw BundleRejection(.malformed, "the delta's since must be an integer below its sequence \(sequence)")
            }
            since = base
            if let list = members["removed"], !list.isNull {
                guard case .array(let values) = list else {
                    throw BundleRejection(.malformed, "the delta's removed must be an array of subs")
                }
                removed = try values.map { value throws(BundleRejection) in
                    guard case .string(let sub) = value else {
                        throw BundleRejection(.malformed, "the delta's removed must be an array of subs")
                    }
                    return sub
                }
            }
        }
        let issuerKeys = try Self.keySet(members["issuer_keys"], name: "issuer_keys")
        let federationKeys = try Self.keySet(members["federation_keys"], name: "federation_keys")
        guard case .array(let entries)? = members["agents"] else {
            throw BundleRejection(.malformed, "the bundle's agents must be an array")
        }
        var agents: [BundleAgent] = []
        agents.reserveCapacity(entries.count)
        var seen = Set<String>(minimumCapacity: entries.count)
        for (index, entry) in entries.enumerated() {
            let agent = try BundleAgent(jcs: entry, index: index)
            guard seen.insert(agent.sub).inserted else {
                throw BundleRejection(.malformed, "agent \(agent.sub) appears twice in the bundle")
            }
            agents.append(agent)
        }
        self.init(iss: iss, iat: Date(timeIntervalSince1970: TimeInterval(iat)),
                  exp: Date(timeIntervalSince1970: TimeInterval(exp)), sequence: sequence,
                  refreshHint: Int(clamping: refreshHint), issuerKeys: issuerKeys, federationKeys: federationKeys,
                  agents: agents, since: since, removed: removed)
    }

    /// Reads `{"keys":[…]}` (an empty list is allowed).
    static func keySet(_ value: JCSValue?, name: String) throws(BundleRejection) -> [PublicJWK] {
        guard case .array(let keys)? = value?["keys"] else {
            throw BundleRejection(.malformed, "the \(name) must be a JWKS, {\"keys\":[…]}")
        }
        var result: [PublicJWK] = []
        for (index, key) in keys.enumerated() {
            do {
                result.append(normalized(try PublicJWK(jcs: key)))
            } catch {
                let reason = (error as? JOSEError)?.reason ?? "\(error)"
                throw BundleRejection(.malformed, "\(name).keys[\(index)] is not a usable key: \(reason)")
            }
        }
        return result
    }

    /// `key` without a declared kid when that kid is its thumbprint (it then says nothing
    /// more), so a key reads back equal to the one that was written.
    static func normalized(_ key: PublicJWK) -> PublicJWK {
        key.declaredKID == key.thumbprint ? PublicJWK(key.material) : key
    }
}
