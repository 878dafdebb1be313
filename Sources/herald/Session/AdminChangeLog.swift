/// What was changed through the admin API since the realm was last imported or applied,
/// read from the realm's audit chain: every realm-document edit is an `admin.*` entry
/// naming the thing it changed, and an import (`admin.realm.imported`, which
/// `herald realm apply` itself makes) starts afresh.
///
/// `herald realm apply` refuses, without `--force`, to touch an object named here: the file
/// never saw that change, so applying it would undo the change silently.
struct AdminChangeLog: Equatable {
    /// The latest admin edit of each object: `(event type, audit seq)`.
    var touched: [RealmPlan.Object: Edit] = [:]
    /// Setting paths changed (`levels.L2`); a setting under one of them counts as touched.
    var settings: [String: Edit] = [:]
    /// Clients whose secret was rotated: applying a file that holds their secret sets it back.
    var rotatedSecrets: [String: Edit] = [:]
    /// Role mappings removed by id whose group and role the log does not say.
    var removedMappings: [Edit] = []
    /// Admin events this version does not know; any change may undo them.
    var unknown: [Edit] = []
    /// The server keeps no audit log, so nothing can be told apart: every change counts.
    var unavailable = false

    struct Edit: Equatable {
        let type: String
        let seq: Int64
        let time: String

        var text: String { "\(type) at \(time), audit seq \(seq)" }
    }

    /// Events that change no part of the realm document.
    private static let outsideTheDocument = ["admin.key.", "admin.directory.synced", "admin.federation.key"]

    /// Folds `entries` (oldest first, as `GET …/audit` returns them) into the log.
    mutating func read(_ entries: [JSONValue]) {
        var mappingIDs: [String: String] = [:]  // rm-N → group → role, from admin.mapping.added
        for entry in entries {
            guard let type = entry["type"]?.string else { continue }
            let edit = Edit(type: type, seq: entry["seq"]?.int ?? 0, time: entry["time"]?.string ?? "?")
            let detail = entry["detail"] ?? .null
            func touch(_ kind: RealmPlan.Object.Kind, _ key: String) {
                if let id = detail[key]?.string { touched[RealmPlan.Object(kind: kind, id: id)] = edit }
            }
            switch type {
            case "admin.realm.imported":
                self = AdminChangeLog()
                mappingIDs = [:]
            case "admin.client.created", "admin.client.updated", "admin.client.removed": touch(.client, "client_id")
            case "admin.client.secret_rotated":
                if let id = detail["client_id"]?.string { rotatedSecrets[id] = edit }
            case "admin.agent.created", "admin.agent.updated", "admin.agent.removed": touch(.agent, "agent")
            case "admin.federation.peer_added", "admin.federation.peer_removed": touch(.federationPeer, "entity")
            case "admin.mapping.added":
                if let group = detail["group"]?.string, let role = detail["role"]?.string {
                    let id = "\(group) → \(role)"
                    touched[RealmPlan.Object(kind: .roleMapping, id: id)] = edit
                    if let mappingID = detail["id"]?.string { mappingIDs[mappingID] = id }
                }
            case "admin.mapping.removed":
                if let group = detail["group"]?.string, let role = detail["role"]?.string {
                    touched[RealmPlan.Object(kind: .roleMapping, id: "\(group) → \(role)")] = edit
                } else if let id = detail["id"]?.string, let known = mappingIDs[id] {
                    touched[RealmPlan.Object(kind: .roleMapping, id: known)] = edit
                } else {
                    removedMappings.append(edit)
                }
            case "admin.levels.changed":
                for level in (detail["levels"]?.string ?? "").split(separator: ",") { settings["levels.\(level)"] = edit }
            default:
                if !Self.outsideTheDocument.contains(where: type.hasPrefix) { unknown.append(edit) }
            }
        }
    }

    /// One change the file would make over an admin edit.
    struct Conflict: Equatable {
        let change: RealmPlan.Change
        let reason: String

        var text: String { "\(change.action.rawValue) \(change.object): \(reason)" }
    }

    /// The changes of `plan` that would undo an admin edit. `fileSecrets`: clients whose
    /// secret the file gives (not as a digest), which applying sets again.
    func conflicts(with plan: RealmPlan, fileSecrets: Set<String>) -> [Conflict] {
        var conflicts: [Conflict] = []
        for change in plan.changes {
            if unavailable {
                conflicts.append(Conflict(change: change, reason: "the server keeps no audit log (--audit-log off), "
                    + "so an admin-API change cannot be told from an edit of the file"))
            } else if let edit = touched[change.object] {
                conflicts.append(Conflict(change: change, reason: "changed through the admin API (\(edit.text))"))
            } else if change.object.kind == .setting,
                      let (path, edit) = settings.first(where: { change.object.id == $0.key || change.object.id.hasPrefix($0.key + ".") }) {
                conflicts.append(Conflict(change: change, reason: "\(path) changed through the admin API (\(edit.text))"))
            } else if change.object.kind == .roleMapping, change.action == .add, let edit = removedMappings.last {
                conflicts.append(Conflict(change: change, reason: "a role mapping was removed through the admin API "
                    + "(\(edit.text)) and the log does not say which; this may add it back"))
            } else if let edit = unknown.last {
                conflicts.append(Conflict(change: change, reason: "the server made a change this herald does not know (\(edit.text))"))
            }
        }
        for (client, edit) in rotatedSecrets.sorted(by: { $0.key < $1.key }) where fileSecrets.contains(client) {
            let change = RealmPlan.Change(action: .change, object: RealmPlan.Object(kind: .client, id: client),
                                          details: ["secret: the file's secret replaces the rotated one"])
            conflicts.append(Conflict(change: change, reason: "its secret was rotated through the admin API (\(edit.text))"))
        }
        return conflicts
    }
}
