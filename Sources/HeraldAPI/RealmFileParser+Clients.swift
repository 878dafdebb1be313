import Foundation
import HeraldCore
import Yams

extension RealmFileParser {
    static let clientKeys = ["client_id", "subject", "auth", "secret_file", "secret_env", "secret", "secret_digest", "jwks",
                             "jwks_uri",
                             "scopes", "audience", "assertion_idp", "assertion_subject"]

    func parseClients(_ node: Node, agents: [Principal], secrets: inout [String: String], inline: inout [String],
                      digests: inout [String: SecretDigest], directoryIsLDAP: Bool = false) -> [Client]
    {
        guard let items = reader.sequence(node, "clients") else { return [] }
        let agentIDs = Set(agents.map(\.id))
        var seen: Set<String> = []
        var clients: [Client] = []
        for (index, item) in items.enumerated() {
            let path = "clients[\(index)]"
            guard let fields = reader.mapping(item, path, allowed: Self.clientKeys) else { continue }
            guard let idNode = fields["client_id"], let subjectNode = fields["subject"], let authNode = fields["auth"] else {
                reader.issue(item, path, "a client needs client_id, subject and auth")
                continue
            }
            guard let clientID = reader.string(idNode, "\(path).client_id", pattern: Self.identifierPattern,
                                               hint: "use letters, digits and . _ ~ : @ - (at most 128)"),
                  let subject = reader.string(subjectNode, "\(path).subject"),
                  let auth = reader.choice(authNode, "\(path).auth",
                                           Dictionary(uniqueKeysWithValues: ClientAuthMethod.allCases.map { ($0.rawValue, $0) }))
            else { continue }
            if !seen.insert(clientID).inserted {
                reader.issue(idNode, "\(path).client_id", "client \(clientID) is declared twice")
            }
            if !directoryIsLDAP && !agentIDs.contains(subject) {
                reader.issue(subjectNode, "\(path).subject", "no agent \(subject) in directory.static.agents"
                             + Suggestion.hint(for: subject, in: agentIDs.sorted()))
            }
            var client = Client(clientID: clientID, subject: subject, auth: auth)
            if let node = fields["scopes"] { client.scopes = scopes(node, "\(path).scopes") }
            if let node = fields["audience"] {
                client.audience = reader.strings(node, "\(path).audience", pattern: "[^\\s]{1,512}")
                if client.audience?.isEmpty == true { reader.issue(node, "\(path).audience", "list at least one audience") }
            }
            switch auth {
            case .clientSecretBasic, .clientSecretPost:
                if let node = fields["secret_digest"] {
                    // An export of this installation: the keyed digest, never the secret.
                    let others = ["secret_file", "secret_env", "secret"].filter { fields[$0] != nil }
                    if !others.isEmpty { reader.issue(node, path, "give secret_digest or \(others.joined(separator: ", ")), not both") }
                    if let text = reader.string(node, "\(path).secret_digest"), let digest = SecretDigest(exported: text) {
                        digests[clientID] = digest
                    } else {
                        reader.issue(node, "\(path).secret_digest", "not a digest exported by Herald (v1:SALT:DIGEST in base64)")
                    }
                } else if let secret = readSecret(fields, path: path, clientNode: item) {
                    secrets[clientID] = secret
                    if fields["secret"] != nil { inline.append(clientID) }
                }
                for key in ["jwks", "jwks_uri"] where fields[key] != nil {
                    reader.issue(fields[key], "\(path).\(key)", "only private_key_jwt clients have keys; remove it")
                }
                for key in ["assertion_idp", "assertion_subject"] where fields[key] != nil {
                    reader.issue(fields[key], "\(path).\(key)",
                                 "only private_key_jwt clients authenticate with an IdP's assertion; remove it")
                }
            case .privateKeyJWT:
                if fields["assertion_idp"] != nil || fields["assertion_subject"] != nil {
                    // Authenticated by an upstream IdP's assertions (RealmFileParser+UpstreamIdPs).
                    readAssertionIdP(fields, path: path, clientNode: item, into: &client)
                } else {
                    client.jwks = readJWKS(fields, path: path, clientNode: item)
                }
                for key in ["secret_file", "secret_env", "secret", "secret_digest"] where fields[key] != nil {
                    reader.issue(fields[key], "\(path).\(key)", "private_key_jwt clients have no secret; remove it")
                }
            case .ldapBind:
                // The secret is the agent's directory password, checked by binding as it.
                if !directoryIsLDAP {
                    reader.issue(authNode, "\(path).auth", "ldap_bind needs directory.ldap (the secret is checked by an LDAP bind)")
                }
                for key in ["secret_file", "secret_env", "secret", "secret_digest", "jwks", "jwks_uri", "assertion_idp",
                            "assertion_subject"] where fields[key] != nil {
                    reader.issue(fields[key], "\(path).\(key)", "ldap_bind clients use the agent's directory password; remove it")
                }
            }
            clients.append(client)
        }
        return clients
    }

    private func readSecret(_ fields: [String: Node], path: String, clientNode: Node) -> String? {
        let given = ["secret_file", "secret_env", "secret"].filter { fields[$0] != nil }
        guard given.count == 1, let key = given.first, let node = fields[key] else {
            reader.issue(clientNode, path, given.isEmpty
                ? "a secret client needs secret_file (or secret_env, or secret for demos)"
                : "give only one of \(given.joined(separator: ", "))")
            return nil
        }
        guard let value = reader.string(node, "\(path).\(key)") else { return nil }
        let secret: String
        switch key {
        case "secret_file":
            let file = value.hasPrefix("/") ? value : (baseDirectory as NSString).appendingPathComponent(value)
            guard let data = FileManager.default.contents(atPath: file) else {
                reader.issue(node, "\(path).secret_file", "cannot read \(file); create it or fix the path (relative to the realm file)")
                return nil
            }
            secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        case "secret_env":
            guard let fromEnvironment = environment[value] else {
                reader.issue(node, "\(path).secret_env", "environment variable \(value) is not set")
                return nil
            }
            secret = fromEnvironment
        default:
            secret = value
        }
        guard secret.count >= Self.minimumSecretLength else {
            reader.issue(node, "\(path).\(key)",
                         "the secret is shorter than \(Self.minimumSecretLength) characters; generate a long random one")
            return nil
        }
        return secret
    }

    private func readJWKS(_ fields: [String: Node], path: String, clientNode: Node) -> String? {
        if let uri = fields["jwks_uri"] {
            reader.issue(uri, "\(path).jwks_uri",
                         "fetching client keys from a URL is not available yet; put the public keys inline under jwks")
            return nil
        }
        guard let node = fields["jwks"] else {
            reader.issue(clientNode, path, "a private_key_jwt client needs jwks: {keys: [ ...public JWKs... ]}")
            return nil
        }
        guard let json = Self.json(from: node) else {
            reader.issue(node, "\(path).jwks", "jwks must be a mapping {keys: [...]} of strings")
            return nil
        }
        do { try checkJWKS(json) } catch {
            reader.issue(node, "\(path).jwks", "\(error)")
            return nil
        }
        return json
    }

    /// YAML subtree → JSON text (scalars as strings), for JWKS handed to the JOSE parser.
    static func json(from node: Node) -> String? {
        func value(_ node: Node) -> Any? {
            switch node {
            case .scalar(let scalar): return scalar.string
            case .sequence(let sequence): return sequence.map { value($0) ?? NSNull() }
            case .mapping(let mapping):
                var object: [String: Any] = [:]
                for (key, item) in mapping { object[key.string ?? ""] = value(item) ?? NSNull() }
                return object
            case .alias: return nil
            }
        }
        guard let object = value(node), JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
