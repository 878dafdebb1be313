/// What `herald realm apply` would change: the server's realm and the file's, both in the
/// canonical realm-file form (``RealmDiffCommand/canonical(_:)``), compared object by object.
///
/// Clients, agents, role mappings, upstream IdPs and federation peers are compared as whole
/// objects by their identity; everything else is a setting, compared leaf by leaf (a list of
/// plain values is one leaf). Role mappings are identified by group and role, not by id:
/// a file's mappings get their ids from their position, so an id says nothing across files.
struct RealmPlan: Equatable {
    /// The things of a realm that the plan names.
    struct Object: Hashable, Comparable, CustomStringConvertible {
        enum Kind: String, CaseIterable, Comparable {
            case setting, client, agent, roleMapping = "role mapping", upstreamIdP = "upstream IdP"
            case federationPeer = "federation peer"

            static func < (a: Kind, b: Kind) -> Bool {
                allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
            }
        }

        let kind: Kind
        /// client_id, agent id, `group → role`, issuer, entity, or a setting's dotted path.
        let id: String

        var description: String { "\(kind.rawValue) \(id)" }

        static func < (a: Object, b: Object) -> Bool { (a.kind, a.id) < (b.kind, b.id) }
    }

    /// One added, removed or changed object.
    struct Change: Equatable {
        enum Action: String {
            case add = "+", remove = "-", change = "~"
        }

        let action: Action
        let object: Object
        /// Indented detail lines: the members of an added or removed object, `name: old → new`
        /// for a changed one (a setting's change is its own line and has none).
        let details: [String]
        /// For a setting: `old → new` (either side may be "(none)").
        var summary: String? = nil

        var rendered: [String] {
            let head = "\(action.rawValue) \(object)" + (summary.map { ": \($0)" } ?? "")
            return [head] + details.map { "\(action.rawValue)     \($0)" }
        }
    }

    let changes: [Change]

    var isEmpty: Bool { changes.isEmpty }

    /// The collections compared as objects: kind, where they sit, and each object's identity.
    private static let collections: [(kind: Object.Kind, path: [String], identity: @Sendable (JSONValue) -> String)] = [
        (.client, ["clients"], { $0["client_id"]?.string ?? "?" }),
        (.agent, ["directory", "static", "agents"], { $0["id"]?.string ?? "?" }),
        (.roleMapping, ["role_mappings"], { "\($0["group"]?.string ?? "?") → \($0["role"]?.string ?? "?")" }),
        (.upstreamIdP, ["upstream_idps"], { $0["issuer"]?.string ?? "?" }),
        (.federationPeer, ["federation", "peers"], { $0["entity"]?.string ?? "?" }),
    ]

    /// The changes that turn `server` into `file`; either may be nil (no such realm).
    static func compute(server: JSONValue?, file: JSONValue) -> RealmPlan {
        var changes: [Change] = []
        var serverRest = server ?? .object([:]), fileRest = file
        for collection in collections {
            let old = objects(take(collection.path, from: &serverRest), collection.kind, collection.identity)
            let new = objects(take(collection.path, from: &fileRest), collection.kind, collection.identity)
            for id in Set(old.keys).union(new.keys).sorted() {
                let object = Object(kind: collection.kind, id: id)
                switch (old[id], new[id]) {
                case (nil, let added?): changes.append(Change(action: .add, object: object, details: describe(added)))
                case (let removed?, nil): changes.append(Change(action: .remove, object: object, details: describe(removed)))
                case (let before?, let after?) where before != after:
                    changes.append(Change(action: .change, object: object, details: compare(before, after)))
                default: break
                }
            }
        }
        // With no realm on the server, every setting is new; list the file's settings as one add.
        let oldSettings = Dictionary(leaves(server == nil ? .object([:]) : serverRest), uniquingKeysWith: { a, _ in a })
        let newSettings = Dictionary(leaves(fileRest), uniquingKeysWith: { a, _ in a })
        var settingChanges: [Change] = []
        for path in Set(oldSettings.keys).union(newSettings.keys).sorted() where oldSettings[path] != newSettings[path] {
            let action: Change.Action = oldSettings[path] == nil ? .add : newSettings[path] == nil ? .remove : .change
            settingChanges.append(Change(action: action, object: Object(kind: .setting, id: path), details: [],
                                         summary: "\(text(oldSettings[path])) → \(text(newSettings[path]))"))
        }
        return RealmPlan(changes: settingChanges + changes)
    }

    /// The diff for people: a header line per change, members indented.
    func rendered(realm: String) -> String {
        guard !isEmpty else { return "no changes: realm \(realm) on the server matches the file" }
        let counts = [Change.Action.add, .change, .remove].map { action in
            "\(changes.filter { $0.action == action }.count) to \(action == .add ? "add" : action == .change ? "change" : "remove")"
        }
        return (["realm \(realm): \(counts.joined(separator: ", "))"] + changes.flatMap(\.rendered)).joined(separator: "\n")
    }

    /// Removes the value at `path` from `value` and returns it.
    private static func take(_ path: [String], from value: inout JSONValue) -> JSONValue? {
        guard let first = path.first, case .object(var members) = value, var child = members[first] else { return nil }
        let taken: JSONValue?
        if path.count == 1 {
            taken = child
            members[first] = nil
        } else {
            taken = take(Array(path.dropFirst()), from: &child)
            members[first] = child
        }
        value = .object(members)
        return taken
    }

    private static func objects(_ value: JSONValue?, _ kind: Object.Kind, _ identity: (JSONValue) -> String)
        -> [String: JSONValue]
    {
        var result: [String: JSONValue] = [:]
        for var item in value?.array ?? [] {
            // A mapping's id is its position in the file; the group and role are what it is.
            if kind == .roleMapping, case .object(var members) = item {
                members["id"] = nil
                item = .object(members)
            }
            result[identity(item)] = item
        }
        return result
    }

    /// Leaf paths and values; objects are walked, lists and plain values are leaves.
    static func leaves(_ value: JSONValue, prefix: String = "") -> [(String, JSONValue)] {
        guard case .object(let members) = value else { return prefix.isEmpty ? [] : [(prefix, value)] }
        if members.isEmpty, !prefix.isEmpty { return [(prefix, value)] }
        return members.keys.sorted().flatMap { key in
            leaves(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
        }
    }

    private static func describe(_ value: JSONValue) -> [String] {
        leaves(value).map { "\($0.0): \($0.1.rendered(pretty: false))" }
    }

    private static func compare(_ before: JSONValue, _ after: JSONValue) -> [String] {
        let old = Dictionary(leaves(before), uniquingKeysWith: { a, _ in a })
        let new = Dictionary(leaves(after), uniquingKeysWith: { a, _ in a })
        return Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }.map {
            "\($0): \(text(old[$0])) → \(text(new[$0]))"
        }
    }

    private static func text(_ value: JSONValue?) -> String { value?.rendered(pretty: false) ?? "(none)" }
}
