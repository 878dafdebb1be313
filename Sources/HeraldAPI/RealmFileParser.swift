import Foundation
import HeraldCore
import Yams

/// The realm file's schema: turns a composed YAML tree into a ``LoadedRealm``, recording
/// every problem in the ``YAMLReader``.
struct RealmFileParser {
    let reader: YAMLReader
    let baseDirectory: String
    let environment: [String: String]
    let checkJWKS: RealmFileLoader.JWKSCheck
    /// Checks an upstream IdP's inline JWKS (RSA keys allowed); nil checks only its shape.
    var checkUpstreamJWKS: RealmFileLoader.JWKSCheck? = nil

    static let topLevelKeys = ["realm", "display_name", "token", "keys", "levels", "role_mappings", "clients",
                               "directory", "trust_policy", "tools", "default_tool_level", "federation", "brute_force",
                               "upstream_idps", "capabilities"]
    static let namePattern = "[a-z0-9-]{1,63}"
    static let identifierPattern = "[A-Za-z0-9._~:@-]{1,128}"
    static let scopePattern = "[!#-+\\--\\[\\]-~]{1,128}"  // RFC 6749 scope-token, without commas
    static let minimumSecretLength = 16

    func parse(_ root: Node) -> LoadedRealm? {
        guard let top = reader.mapping(root, "", allowed: Self.topLevelKeys) else { return nil }
        guard let nameNode = top["realm"] else {
            reader.issue(root, "realm", "missing; every realm file starts with `realm: NAME` ([a-z0-9-]{1,63})")
            return nil
        }
        let name = reader.string(nameNode, "realm", pattern: Self.namePattern,
                                 hint: "use 1–63 lower-case letters, digits and dashes") ?? ""
        var config = RealmConfig(name: name)
        if let node = top["display_name"] { config.displayName = reader.string(node, "display_name") }
        if let node = top["token"] { parseToken(node, into: &config) }
        if let node = top["keys"] { parseKeys(node, into: &config) }
        if let node = top["levels"] { config.levelOverrides = parseLevels(node) }
        if let node = top["role_mappings"] { config.roleMappings = parseRoleMappings(node) }
        if let node = top["directory"] { parseDirectory(node, into: &config) }
        var secrets: [String: String] = [:]
        var inline: [String] = []
        var digests: [String: SecretDigest] = [:]
        if let node = top["clients"] {
            config.clients = parseClients(node, agents: config.agents, secrets: &secrets, inline: &inline,
                                          digests: &digests, directoryIsLDAP: config.ldap != nil)
            for index in config.clients.indices { config.clients[index].secretDigest = digests[config.clients[index].clientID] }
        }
        if let node = top["trust_policy"] { config.trustPolicy = parseTrustPolicy(node) }
        if let node = top["tools"] { config.tools = parseTools(node) }
        if let node = top["default_tool_level"] {
            if node.string == "deny" { config.defaultToolLevel = nil } else {
                config.defaultToolLevel = reader.level(node, "default_tool_level")
            }
        }
        config.federation = top["federation"].flatMap(parseFederation)
        config.bruteForce = top["brute_force"].flatMap(parseBruteForce)
        config.capabilities = top["capabilities"].flatMap(parseCapabilities)
        if let node = top["upstream_idps"] { config.upstreamIdPs = parseUpstreamIdPs(node, clients: config.clients) }
        checkAssertionIdPs(top["clients"], idps: config.upstreamIdPs ?? [])
        return LoadedRealm(config: config, secrets: secrets, inlineSecretClients: inline)
    }

    private func parseToken(_ node: Node, into config: inout RealmConfig) {
        guard let token = reader.mapping(node, "token", allowed: ["lifetime", "algorithms"]) else { return }
        if let node = token["lifetime"],
           let seconds = reader.duration(node, "token.lifetime", atLeast: 10, atMost: 86400) {
            config.tokenLifetimeSeconds = seconds
        }
        if let node = token["algorithms"], let names = reader.strings(node, "token.algorithms") {
            let options = Dictionary(uniqueKeysWithValues: SigningAlgorithm.allCases.map { ($0.rawValue, $0) })
            var algorithms: [SigningAlgorithm] = []
            for (index, name) in names.enumerated() {
                guard let algorithm = options[name] else {
                    reader.issue(node, "token.algorithms[\(index)]",
                                 "'\(name)' is not supported\(Suggestion.hint(for: name, in: options.keys.sorted()))")
                    continue
                }
                if algorithms.contains(algorithm) {
                    reader.issue(node, "token.algorithms[\(index)]", "\(name) is listed twice")
                }
                algorithms.append(algorithm)
            }
            if names.isEmpty { reader.issue(node, "token.algorithms", "list at least one algorithm (ES256 or EdDSA)") }
            if !algorithms.isEmpty { config.algorithms = algorithms }
        }
    }

    private func parseKeys(_ node: Node, into config: inout RealmConfig) {
        guard let keys = reader.mapping(node, "keys", allowed: ["rotation_period", "publish_ahead"]) else { return }
        if let node = keys["rotation_period"],
           let seconds = reader.duration(node, "keys.rotation_period", atLeast: 3600, atMost: 365 * 86400) {
            config.keyRotationSeconds = seconds
        }
        if let node = keys["publish_ahead"],
           let seconds = reader.duration(node, "keys.publish_ahead", atLeast: 60, atMost: 30 * 86400) {
            config.keyPublishAheadSeconds = seconds
        }
        if config.keyPublishAheadSeconds >= config.keyRotationSeconds {
            reader.issue(keys["publish_ahead"] ?? node, "keys.publish_ahead",
                         "must be shorter than keys.rotation_period, or a key would be replaced before it signs")
        }
    }

    private func parseLevels(_ node: Node) -> [String: LevelPolicyOverride] {
        guard let entries = reader.entries(node, "levels") else { return [:] }
        var overrides: [String: LevelPolicyOverride] = [:]
        for (key, keyNode, value) in entries {
            let path = "levels.\(key)"
            guard let level = TrustLevel(name: key), key == level.name else {
                reader.issue(keyNode, path, "unknown level\(Suggestion.hint(for: key, in: TrustLevel.allCases.map(\.name)))")
                continue
            }
            guard let cells = reader.mapping(value, path, allowed: ["label", "payment_enabled", "tx_limit", "day_limit",
                                                                     "scopes", "earned_at_score"])
            else { continue }
            var row = LevelPolicyOverride()
            if let node = cells["label"] { row.label = reader.string(node, "\(path).label", pattern: "[^\\n]{1,64}") }
            if let node = cells["payment_enabled"] { row.paymentEnabled = reader.bool(node, "\(path).payment_enabled") }
            if let node = cells["tx_limit"] { row.txLimit = reader.int(node, "\(path).tx_limit", range: 0...Int(1e12)) }
            if let node = cells["day_limit"] { row.dayLimit = reader.int(node, "\(path).day_limit", range: 0...Int(1e12)) }
            if let node = cells["scopes"] { row.scopes = scopes(node, "\(path).scopes") }
            if let node = cells["earned_at_score"] {
                row.earnedAtScore = reader.int(node, "\(path).earned_at_score", range: 0...100)
            }
            overrides[level.name] = row
        }
        let table = LevelTable(overrides: Dictionary(uniqueKeysWithValues: overrides.map { (TrustLevel(name: $0.key)!, $0.value) }))
        let thresholds = TrustLevel.allCases.map { table[$0].earnedAtScore }
        if thresholds != thresholds.sorted() || Set(thresholds).count != thresholds.count || thresholds.first != 0 {
            reader.issue(node, "levels", "earned_at_score must start at 0 for L0 and rise strictly from L0 to L4")
        }
        return overrides
    }

    func scopes(_ node: Node, _ path: String) -> [String]? {
        reader.strings(node, path, pattern: Self.scopePattern,
                       hint: "a scope is printable ASCII without spaces, quotes, backslashes or commas")
    }

    private func parseRoleMappings(_ node: Node) -> [RoleMapping] {
        guard let items = reader.sequence(node, "role_mappings") else { return [] }
        return items.enumerated().compactMap { index, item in
            let path = "role_mappings[\(index)]"
            guard let fields = reader.mapping(item, path, allowed: ["id", "group", "role"]) else { return nil }
            guard let groupNode = fields["group"], let roleNode = fields["role"] else {
                reader.issue(item, path, "needs both group and role, e.g. {group: payment-bots, role: mcps-l3}")
                return nil
            }
            guard let group = reader.string(groupNode, "\(path).group", pattern: "[^\\n]{1,512}"),
                  let role = reader.string(roleNode, "\(path).role", pattern: "[^\\s]{1,128}")
            else { return nil }
            if role.hasPrefix(TrustLevel.rolePrefix) && TrustLevel(role: role) == nil {
                reader.issue(roleNode, "\(path).role", "'\(role)' looks like a level role but only mcps-l0…mcps-l4 exist")
            }
            let id = fields["id"].flatMap { reader.string($0, "\(path).id", pattern: "rm-[0-9]{1,9}", hint: "ids look like rm-12") }
            return RoleMapping(id: id ?? "rm-\(index + 1)", group: group, role: role)
        }
    }

    private func parseDirectory(_ node: Node, into config: inout RealmConfig) {
        guard let directory = reader.mapping(node, "directory", allowed: ["static", "ldap"]) else { return }
        if let ldap = directory["ldap"] {
            if directory["static"] != nil {
                reader.issue(ldap, "directory.ldap", "a realm has one directory: give static or ldap, not both")
            }
            config.ldap = parseLDAP(ldap)
        }
        config.agents = parseStaticDirectory(directory)
    }

    private func parseStaticDirectory(_ directory: [String: Node]) -> [Principal] {
        guard let staticNode = directory["static"] else { return [] }
        guard let fields = reader.mapping(staticNode, "directory.static", allowed: ["agents"]),
              let agentsNode = fields["agents"], let items = reader.sequence(agentsNode, "directory.static.agents")
        else { return [] }
        var seen: Set<String> = []
        return items.enumerated().compactMap { index, item in
            let path = "directory.static.agents[\(index)]"
            guard let fields = reader.mapping(item, path, allowed: ["id", "name", "org", "roles", "groups", "code_hash"])
            else { return nil }
            guard let idNode = fields["id"] else {
                reader.issue(item, path, "needs an id (the token's sub)")
                return nil
            }
            guard let id = reader.string(idNode, "\(path).id", pattern: Self.identifierPattern,
                                         hint: "use letters, digits and . _ ~ : @ - (at most 128)")
            else { return nil }
            if !seen.insert(id).inserted { reader.issue(idNode, "\(path).id", "agent \(id) is declared twice") }
            var agent = Principal(id: id)
            if let node = fields["name"] { agent.name = reader.string(node, "\(path).name") }
            if let node = fields["org"] { agent.org = reader.string(node, "\(path).org", pattern: "[^\\n]{1,128}") }
            if let node = fields["roles"] { agent.roles = reader.strings(node, "\(path).roles", pattern: "[^\\s]{1,128}") ?? [] }
            if let node = fields["groups"] { agent.groups = reader.strings(node, "\(path).groups", pattern: "[^\\n]{1,512}") ?? [] }
            if let node = fields["code_hash"] {
                agent.codeHash = reader.string(node, "\(path).code_hash", pattern: "sha256:[0-9a-f]{64}",
                                               hint: "write sha256: followed by 64 lower-case hex digits")
            }
            for (roleIndex, role) in agent.roles.enumerated()
            where role.hasPrefix(TrustLevel.rolePrefix) && TrustLevel(role: role) == nil {
                reader.issue(fields["roles"], "\(path).roles[\(roleIndex)]",
                             "'\(role)' looks like a level role but only mcps-l0…mcps-l4 exist")
            }
            return agent
        }
    }

    private func parseTrustPolicy(_ node: Node) -> TrustPolicy {
        var policy = TrustPolicy()
        guard let fields = reader.mapping(node, "trust_policy", allowed: ["pipeline", "earned_levels"]) else { return policy }
        if let node = fields["pipeline"] {
            policy.pipelineRequired = reader.choice(node, "trust_policy.pipeline", ["required": true, "off": false]) ?? false
        }
        if let node = fields["earned_levels"] { policy.earnedLevels = reader.bool(node, "trust_policy.earned_levels") ?? false }
        return policy
    }

    private func parseTools(_ node: Node) -> [String: TrustLevel] {
        guard let entries = reader.entries(node, "tools") else { return [:] }
        var tools: [String: TrustLevel] = [:]
        for (key, keyNode, value) in entries {
            guard key.wholeMatch(of: /[A-Za-z0-9._-]+\/[A-Za-z0-9._*-]+/) != nil else {
                reader.issue(keyNode, "tools.\(key)", "write tools as server/tool, e.g. database-mcp/query")
                continue
            }
            if tools[key] != nil { reader.issue(keyNode, "tools.\(key)", "listed twice") }
            tools[key] = reader.level(value, "tools.\(key)")
        }
        return tools
    }

    private func parseFederation(_ node: Node) -> FederationSettings? {
        guard let fields = reader.mapping(node, "federation", allowed: ["bundle_lifetime", "refresh_hint", "peers"])
        else { return nil }
        var settings = FederationSettings(bundleLifetimeSeconds: 3600, refreshHintSeconds: 300, peers: [])
        if let node = fields["bundle_lifetime"] {
            settings.bundleLifetimeSeconds = reader.duration(node, "federation.bundle_lifetime", atLeast: 60,
                                                             atMost: 7 * 86400) ?? 3600
        }
        if let node = fields["refresh_hint"] {
            settings.refreshHintSeconds = reader.duration(node, "federation.refresh_hint", atLeast: 10, atMost: 86400) ?? 300
        }
        if let node = fields["peers"], let items = reader.sequence(node, "federation.peers") {
            for (index, item) in items.enumerated() {
                let path = "federation.peers[\(index)]"
                guard let peer = reader.mapping(item, path, allowed: ["entity", "pin", "max_level", "refresh",
                                                                       "max_staleness"])
                else { continue }
                guard let entityNode = peer["entity"], let pinNode = peer["pin"], let levelNode = peer["max_level"] else {
                    reader.issue(item, path, "a peer needs entity, pin and max_level")
                    continue
                }
                guard let entity = reader.string(entityNode, "\(path).entity", pattern: "https?://[^\\s]+",
                                                 hint: "the peer's issuer URL"),
                      let pin = reader.string(pinNode, "\(path).pin", pattern: "[A-Za-z0-9_-]{43}",
                                              hint: "an RFC 7638 SHA-256 thumbprint, 43 base64url characters"),
                      let level = reader.level(levelNode, "\(path).max_level")
                else { continue }
                // The pattern lets through what is no URL at all (`http://[`): it must parse, with a host.
                guard let host = URLComponents(string: entity)?.host, !host.isEmpty else {
                    reader.issue(entityNode, "\(path).entity", "'\(entity)' is not valid: the peer's issuer URL")
                    continue
                }
                if settings.peers.contains(where: { $0.entity == entity }) {
                    reader.issue(entityNode, "\(path).entity", "peer \(entity) is listed twice")
                    continue
                }
                settings.peers.append(FederationSettings.Peer(
                    entity: entity, pin: pin, maxLevel: level,
                    refreshSeconds: peer["refresh"].flatMap { reader.duration($0, "\(path).refresh", atLeast: 10, atMost: 86400) },
                    maxStalenessSeconds: peer["max_staleness"].flatMap {
                        reader.duration($0, "\(path).max_staleness", atLeast: 5, atMost: 30 * 86400)
                    }))
            }
        }
        return settings
    }
}
