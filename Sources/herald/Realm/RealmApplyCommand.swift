import ArgumentParser
import Foundation
import HeraldAPI
import HeraldServer
import HeraldServices

/// `herald realm apply FILE`: makes the running realm what an edited realm file says,
/// showing the changes first and keeping changes made through the admin API.
struct RealmApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply an edited realm file to the running server: diff, check, replace.",
        discussion: """
            FILE is validated here first (every problem, with its line). The realm on the server \
            is fetched through the admin API and compared with the file object by object: + is \
            added, - removed, ~ changed (clients, agents, role mappings, upstream IdPs, federation \
            peers, and each setting). With --dry-run that is all. \
            Changes made through the admin API since the realm was last imported or applied \
            (read from its audit log) are not undone without --force: when the file would remove, \
            re-add or change such an object, apply lists them and changes nothing; add them to the \
            file (`herald realm export` shows them) or pass --force to drop them. \
            The realm is then replaced in one step (PUT /admin/realms/{r}, audited as \
            admin.realm.imported): it is never half applied, and the signing keys and agent \
            lifecycle state stay. Exit codes: 0 applied or nothing to do, 1 bad file or refused \
            here, 2 the server refused, 3 no server.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Realm file (YAML or JSON).") var file: String
    @Flag(name: .customLong("dry-run"), help: "Show the changes and stop.") var dryRun = false
    @Flag(help: "Apply even when it undoes changes made through the admin API.") var force = false

    func run() async throws {
        let local: LoadedRealm
        do { local = try RealmImporter.loader.load(path: file) } catch let error as RealmFileError {
            printError(error.description)
            throw CLIError.usage("\(file) has \(error.issues.count) problem\(error.issues.count == 1 ? "" : "s"); fix them and run apply again")
        }
        let realm = local.config.name
        if let explicit = options.realm, explicit != realm {
            throw CLIError.usage("\(file) declares realm \(realm), not \(explicit); drop --realm or fix the file")
        }
        let session = try options.connect()
        let serverState = try await Self.serverRealm(session, realm: realm)
        let plan = RealmPlan.compute(server: serverState, file: RealmDiffCommand.canonical(local))
        var log = AdminChangeLog()
        if serverState != nil { log = try await Self.adminChanges(session, realm: realm) }
        let fileSecrets = Set(local.secrets.keys)
        let conflicts = log.conflicts(with: plan, fileSecrets: fileSecrets)
        Console.write(plan.rendered(realm: realm))
        if plan.isEmpty && conflicts.isEmpty { return }
        if !conflicts.isEmpty {
            let list = conflicts.map { "  \($0.text)" }.joined(separator: "\n")
            if !force {
                printError("these changes would undo changes made through the admin API since the realm was last applied:\n\(list)")
                throw CLIError.usage(dryRun
                    ? "dry run: apply would refuse; add those changes to \(file) (`herald realm export --realm \(realm)` shows them) or pass --force"
                    : "nothing applied; add those changes to \(file) (`herald realm export --realm \(realm)` shows them), or pass --force to drop them")
            }
            printError("--force: dropping changes made through the admin API:\n\(list)")
        }
        if dryRun {
            Console.write("dry run: nothing applied")
            return
        }
        // The plan was made from what the server had a moment ago; an admin edit since would be
        // lost unseen, so check once more right before replacing.
        guard try await Self.serverRealm(session, realm: realm) == serverState else {
            throw CLIError.refused("realm \(realm) changed on the server while the changes were prepared; nothing applied; run apply again")
        }
        let upload = try RealmImportCommand.upload(file)
        do {
            _ = try await session.send(.PUT, AdminClient.path("admin", "realms", realm), body: upload.body,
                                       contentType: upload.contentType)
        } catch let error as CLIError {
            // PUT replaces the realm in one transaction: a refusal leaves it as it was.
            throw CLIError(kind: error.kind, message: "nothing applied: \(error.message)")
        }
        let after = try await Self.serverRealm(session, realm: realm)
        let left = RealmPlan.compute(server: after, file: RealmDiffCommand.canonical(local))
        guard left.isEmpty else {
            throw CLIError.refused("applied, but realm \(realm) on the server still differs from \(file):\n"
                + left.rendered(realm: realm))
        }
        Console.write("applied \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s") to realm \(realm) from \(file)")
    }

    /// The realm on the server in the canonical form, or nil when the server has no such realm.
    static func serverRealm(_ session: AdminSession, realm: String) async throws -> JSONValue? {
        let names = try await session.json(.GET, AdminClient.path("admin", "realms"))["realms"]?.array ?? []
        guard names.contains(.string(realm)) else { return nil }
        let export = try await RealmExportCommand.fetch(session, realm: realm, format: .json)
        return RealmDiffCommand.canonical(try RealmDiffCommand.load(
            export: export, realm: realm, advice: "is this herald older than the server?"))
    }

    /// The realm's `admin.*` audit entries, every page, folded into an ``AdminChangeLog``.
    static func adminChanges(_ session: AdminSession, realm: String) async throws -> AdminChangeLog {
        var log = AdminChangeLog()
        var entries: [JSONValue] = []
        var after: Int64? = nil
        repeat {
            let query = AdminClient.query([("type", "admin.*"), ("limit", "1000"), ("after", after.map(String.init))])
            let page: JSONValue
            do {
                page = try await session.json(.GET, AdminClient.path("admin", "realms", realm) + "/audit" + query)
            } catch let error as CLIError where error.message.contains("(404 not_found)") {
                log.unavailable = true
                return log
            }
            entries += page["entries"]?.array ?? []
            after = page["next_after"]?.int
        } while after != nil
        log.read(entries)
        return log
    }
}
