import Foundation
import HeraldCore
import Yams

/// Reads and validates realm files (`../shared/design/realm-file.md` is the contract).
///
/// Every problem is reported with file, line, key path and a suggested fix; nothing is
/// imported from a file that has any.
public struct RealmFileLoader: Sendable {
    /// Checks a client's inline JWKS (JSON text); throws a message saying what is wrong.
    /// Supplied by the caller so this module need not depend on the JOSE module.
    public typealias JWKSCheck = @Sendable (String) throws -> Void

    let checkJWKS: JWKSCheck
    let checkUpstreamJWKS: JWKSCheck?
    let environment: [String: String]

    /// `checkUpstreamJWKS` checks an upstream IdP's inline JWKS, which may hold RSA keys;
    /// without it only the shape `{keys: [...]}` is checked.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                checkJWKS: @escaping JWKSCheck, checkUpstreamJWKS: JWKSCheck? = nil) {
        self.environment = environment
        self.checkJWKS = checkJWKS
        self.checkUpstreamJWKS = checkUpstreamJWKS
    }

    /// Loads every `*.yaml`, `*.yml` and `*.json` file in `directory`.
    public func loadDirectory(_ directory: String) throws -> [LoadedRealm] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw RealmFileError(issues: [RealmFileIssue(file: directory, line: 0, column: 0, path: "",
                                                         message: "cannot read the realms directory: \(error.localizedDescription)")])
        }
        var realms: [LoadedRealm] = []
        var issues: [RealmFileIssue] = []
        for name in names.sorted() where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
            do {
                let realm = try load(path: (directory as NSString).appendingPathComponent(name))
                if let other = realms.first(where: { $0.config.name == realm.config.name }) {
                    issues.append(RealmFileIssue(file: name, line: 0, column: 0, path: "realm",
                                                 message: "realm \(other.config.name) is declared by two files"))
                }
                realms.append(realm)
            } catch let error as RealmFileError {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw RealmFileError(issues: issues) }
        return realms
    }

    /// Loads one realm file.
    public func load(path: String) throws -> LoadedRealm {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealmFileError(issues: [RealmFileIssue(file: path, line: 0, column: 0, path: "",
                                                         message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RealmFileError(issues: [RealmFileIssue(file: path, line: 0, column: 0, path: "",
                                                         message: "the file is not UTF-8 text")])
        }
        return try load(text: text, file: path, baseDirectory: (path as NSString).deletingLastPathComponent,
                        json: path.lowercased().hasSuffix(".json"))
    }

    /// Loads a realm from `text`; relative paths in it resolve against `baseDirectory`. `json`:
    /// the text is JSON, whose value types are then taken as they are (a JSON `false` is no
    /// string, a JSON `"true"` no boolean), where YAML would read a plain `false` as either.
    public func load(text: String, file: String, baseDirectory: String, json: Bool = false) throws -> LoadedRealm {
        // JSON (Herald's own rendering of an admin edit) has no aliases to count.
        if !json, let line = YAMLAliasLimit.lineOfExcessAlias(in: text) {
            throw RealmFileError(issues: [RealmFileIssue(
                file: file, line: line, column: 0, path: "",
                message: "more than \(YAMLAliasLimit.maximum) YAML aliases (*name); a realm file may use at most "
                    + "\(YAMLAliasLimit.maximum), since aliases of aliases multiply a document without bound; "
                    + "write the values out (or quote a value that starts with *)")])
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw RealmFileError(issues: [Self.issue(for: error, file: file)])
        }
        guard let root else {
            throw RealmFileError(issues: [RealmFileIssue(file: file, line: 0, column: 0, path: "",
                                                         message: "the file is empty; a realm needs at least `realm: NAME`")])
        }
        let reader = YAMLReader(file: file, json: json)
        let parser = RealmFileParser(reader: reader, baseDirectory: baseDirectory, environment: environment,
                                     checkJWKS: checkJWKS, checkUpstreamJWKS: checkUpstreamJWKS)
        let realm = parser.parse(root)
        guard reader.issues.isEmpty, let realm else {
            throw RealmFileError(issues: reader.issues.isEmpty
                ? [RealmFileIssue(file: file, line: 0, column: 0, path: "", message: "the realm is incomplete")]
                : reader.issues)
        }
        return realm
    }

    static func issue(for error: YamlError, file: String) -> RealmFileIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return RealmFileIssue(file: file, line: mark.line, column: mark.column, path: "",
                                  message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams refuses repeated keys itself; say it in this loader's words.
            return RealmFileIssue(file: file, line: context.mark.line, column: context.mark.column, path: "",
                                  message: "key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appears twice in one mapping; keep one")
        default:
            return RealmFileIssue(file: file, line: 0, column: 0, path: "", message: "not valid YAML: \(error)")
        }
    }
}
