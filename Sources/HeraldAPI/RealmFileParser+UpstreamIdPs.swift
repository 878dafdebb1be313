import Foundation
import HeraldCore
import Yams

/// `upstream_idps`: identity providers whose tokens the realm exchanges for its own
/// (docs/configuration.md, "upstream_idps"; docs/connect-your-idp.md).
extension RealmFileParser {
    static let upstreamIdPKeys = ["issuer", "jwks_uri", "jwks", "audience", "subject_claim", "roles_claim",
                                  "role_mappings", "max_level", "may_act"]
    /// A dotted claim path: up to 8 names of printable characters without dots or spaces.
    static let claimPathPattern = "[^.\\s]{1,128}(\\.[^.\\s]{1,128}){0,7}"
    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    func parseUpstreamIdPs(_ node: Node, clients: [Client]) -> [UpstreamIdP] {
        guard let items = reader.sequence(node, "upstream_idps") else { return [] }
        let clientIDs = Set(clients.map(\.clientID))
        var idps: [UpstreamIdP] = []
        for (index, item) in items.enumerated() {
            let path = "upstream_idps[\(index)]"
            guard let fields = reader.mapping(item, path, allowed: Self.upstreamIdPKeys) else { continue }
            let required = ["issuer", "audience", "roles_claim", "role_mappings", "may_act"]
            let missing = required.filter { fields[$0] == nil }
            if !missing.isEmpty {
                reader.issue(item, path, "an upstream IdP needs \(missing.joined(separator: ", ")) "
                             + "(and jwks_uri or jwks); see docs/connect-your-idp.md")
            }
            // Every key present is checked even when another is wrong, so one run lists all.
            var issuer = fields["issuer"].flatMap {
                url($0, "\(path).issuer", what: "the IdP's issuer URL, exactly as its tokens' iss")
            }
            if let duplicate = issuer, let node = fields["issuer"], idps.contains(where: { $0.issuer == duplicate }) {
                reader.issue(node, "\(path).issuer", "upstream IdP \(duplicate) is listed twice")
                issuer = nil
            }
            var idp = UpstreamIdP(issuer: issuer ?? "", audience: [], rolesClaim: "", roleMappings: [], mayAct: [])
            switch (fields["jwks_uri"], fields["jwks"]) {
            case (let uriNode?, nil):
                idp.jwksURI = url(uriNode, "\(path).jwks_uri", what: "the URL of the IdP's JWKS (its jwks_uri in discovery)")
            case (nil, let jwksNode?):
                idp.jwks = inlineJWKS(jwksNode, "\(path).jwks")
            case (_?, let jwksNode?):
                reader.issue(jwksNode, "\(path).jwks", "give jwks_uri or jwks, not both")
            case (nil, nil) where missing.isEmpty:  // else the message above says it
                reader.issue(item, path, "needs jwks_uri (the IdP's key set URL) or jwks (its public keys inline)")
            case (nil, nil):
                break
            }
            if let node = fields["audience"] { idp.audience = audience(node, "\(path).audience") }
            if let node = fields["subject_claim"],
               let claim = reader.string(node, "\(path).subject_claim", pattern: Self.claimPathPattern,
                                         hint: "a claim name such as sub, oid or preferred_username") {
                idp.subjectClaim = claim
            }
            if let node = fields["roles_claim"] {
                idp.rolesClaim = reader.string(node, "\(path).roles_claim", pattern: Self.claimPathPattern,
                                               hint: "a dotted JSON path such as realm_access.roles, roles, groups or scope") ?? ""
            }
            if let node = fields["role_mappings"] { idp.roleMappings = levelMappings(node, "\(path).role_mappings") }
            if let node = fields["max_level"] { idp.maxLevel = reader.level(node, "\(path).max_level") }
            if let mayActNode = fields["may_act"],
               let ids = reader.strings(mayActNode, "\(path).may_act", pattern: Self.identifierPattern,
                                        hint: "a client_id of this realm") {
                if ids.isEmpty {
                    reader.issue(mayActNode, "\(path).may_act",
                                 "list the clients of this realm that may exchange this IdP's tokens, e.g. [orchestrator]")
                }
                let itemNodes = reader.sequence(mayActNode, "\(path).may_act") ?? []
                for (position, id) in ids.enumerated() where !clientIDs.contains(id) {
                    reader.issue(itemNodes[position], "\(path).may_act[\(position)]", "no client \(id) in clients"
                                 + Suggestion.hint(for: id, in: clientIDs.sorted()))
                }
                idp.mayAct = ids
            }
            guard issuer != nil, missing.isEmpty else { continue }
            idps.append(idp)
        }
        return idps
    }

    /// An https URL with a host; http only on loopback (a test or a sidecar IdP).
    private func url(_ node: Node, _ path: String, what: String) -> String? {
        guard let text = reader.string(node, path, pattern: "https?://[^\\s]{1,2000}", hint: what) else { return nil }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            reader.issue(node, path, "'\(text)' is not a URL with a host: \(what)")
            return nil
        }
        if components.scheme == "http" && !Self.loopbackHosts.contains(host.lowercased()) {
            reader.issue(node, path, "'\(text)' must use https (http is allowed only for localhost, 127.0.0.1 and [::1])")
            return nil
        }
        return text
    }

    private func audience(_ node: Node, _ path: String) -> [String] {
        let values: [String]?
        if case .sequence = node {
            values = reader.strings(node, path, pattern: "[^\\s]{1,512}")
        } else {
            values = reader.string(node, path, pattern: "[^\\s]{1,512}").map { [$0] }
        }
        guard let values else { return [] }
        if values.isEmpty {
            reader.issue(node, path, "list at least one audience: what the IdP puts in aud (a client id or API URI)")
        }
        return values
    }

    /// `role_mappings: {upstream-role: mcps-l<n>, …}`.
    private func levelMappings(_ node: Node, _ path: String) -> [UpstreamIdP.LevelMapping] {
        guard let entries = reader.entries(node, path) else { return [] }
        if entries.isEmpty {
            reader.issue(node, path, "map at least one upstream role or group to a level, e.g. {herald-agents: mcps-l2}")
        }
        var mappings: [UpstreamIdP.LevelMapping] = []
        for (key, keyNode, value) in entries {
            let entryPath = "\(path).\(key)"
            guard !key.isEmpty, key.count <= 512, !key.contains("\n") else {
                reader.issue(keyNode, entryPath, "an upstream role or group name is 1–512 characters on one line")
                continue
            }
            if mappings.contains(where: { $0.upstream == key }) {
                reader.issue(keyNode, entryPath, "\(key) is mapped twice")
                continue
            }
            guard let role = reader.string(value, entryPath) else { continue }
            guard let level = TrustLevel(role: role) else {
                reader.issue(value, entryPath, "'\(role)' is not a level role; write mcps-l0, mcps-l1, mcps-l2, mcps-l3 or mcps-l4")
                continue
            }
            mappings.append(.init(upstream: key, level: level))
        }
        return mappings
    }

    private func inlineJWKS(_ node: Node, _ path: String) -> String? {
        guard case .mapping = node, let json = Self.json(from: node) else {
            reader.issue(node, path, "jwks must be a mapping {keys: [...]} of the IdP's public keys")
            return nil
        }
        do {
            if let checkUpstreamJWKS { try checkUpstreamJWKS(json) } else {
                let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
                guard let keys = object?["keys"] as? [Any], !keys.isEmpty else {
                    reader.issue(node, path, "jwks must hold keys: [ ...public JWKs... ]")
                    return nil
                }
            }
        } catch {
            reader.issue(node, path, "\(error)")
            return nil
        }
        return json
    }

    /// A `private_key_jwt` client authenticated by an upstream IdP's assertions (RFC 7523):
    /// `assertion_idp` (that IdP's issuer) and `assertion_subject` (the `sub` they carry), in
    /// place of keys of its own.
    func readAssertionIdP(_ fields: [String: Node], path: String, clientNode: Node, into client: inout Client) {
        guard let issuerNode = fields["assertion_idp"], let subjectNode = fields["assertion_subject"] else {
            reader.issue(clientNode, path, "assertion_idp and assertion_subject go together: the issuer of one of "
                         + "upstream_idps and the sub its assertions for this client carry")
            return
        }
        client.assertionIdP = reader.string(issuerNode, "\(path).assertion_idp", pattern: "https?://[^\\s]{1,2000}",
                                            hint: "the issuer of one of upstream_idps")
        client.assertionSubject = reader.string(subjectNode, "\(path).assertion_subject", pattern: "[^\\s]{1,255}",
                                                hint: "the sub of the IdP's assertions for this client")
        for key in ["jwks", "jwks_uri"] where fields[key] != nil {
            reader.issue(fields[key], "\(path).\(key)",
                         "a client authenticated by assertion_idp has no keys of its own (the IdP's sign); remove it")
        }
    }

    /// Every client's `assertion_idp` names one of the realm's upstream IdPs.
    func checkAssertionIdPs(_ clientsNode: Node?, idps: [UpstreamIdP]) {
        guard let clientsNode, case .sequence(let items) = clientsNode else { return }
        let issuers = idps.map(\.issuer)
        for (index, item) in items.enumerated() {
            guard case .mapping(let mapping) = item,
                  let node = mapping.first(where: { $0.key.string == "assertion_idp" })?.value,
                  let issuer = node.string, !issuers.contains(issuer)
            else { continue }
            reader.issue(node, "clients[\(index)].assertion_idp", "no upstream IdP \(issuer) in upstream_idps"
                         + (issuers.isEmpty ? "; list it there first" : Suggestion.hint(for: issuer, in: issuers)))
        }
    }
}
