import ArgumentParser
import HeraldAPI
import HeraldCore

/// `herald mapping set --group G --role R`: members of G hold R from the next token on.
struct MappingSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Map a directory group to a role.",
        discussion: """
            A group holds at most one level role: when ROLE is mcps-l0…mcps-l4, the group's other \
            level-role mappings are removed after the new one is added (so no token is ever issued \
            above the old or the new level). Other roles are added beside the existing ones.
            """)

    @OptionGroup var options: AdminOptions
    @Option(help: "Directory group: a static group name or an LDAP DN.") var group: String
    @Option(help: "Role its members hold, e.g. mcps-l3.") var role: String

    func validate() throws {
        guard !group.isEmpty, group.count <= 1024 else { throw ValidationError("--group must not be empty") }
        guard !role.isEmpty, role.count <= 128, !role.contains(where: \.isWhitespace) else {
            throw ValidationError("--role must be 1–128 characters without spaces, e.g. mcps-l3")
        }
        if role.hasPrefix(TrustLevel.rolePrefix), TrustLevel(role: role) == nil {
            throw ValidationError("'\(role)' looks like a level role but only mcps-l0…mcps-l4 exist")
        }
    }

    func run() async throws {
        let session = try options.connect()
        let existing = try await session.call(.GET, options.path("role-mappings"), as: AdminRoleMappingList.self)
            .value.roleMappings
        let sameGroup = existing.filter { $0.group == group }
        let current = sameGroup.first { $0.role == role }
        let stale = isLevelRole(role) ? sameGroup.filter { isLevelRole($0.role) && $0.role != role } : []
        if let current, stale.isEmpty {
            if options.output == .json { Console.write(try JSONValue(encoding: current).rendered()) } else {
                Console.write("group \(group) already maps to role \(role) (\(current.id ?? "?")); nothing to change")
            }
            return
        }
        let mapping: AdminRoleMapping
        if let current {
            mapping = current
        } else {
            mapping = try await session.call(.POST, options.path("role-mappings"),
                                             body: AdminRoleMappingRequest(group: group, role: role),
                                             as: AdminRoleMapping.self).value
        }
        var removed: [String] = []
        for old in stale {
            guard let id = old.id else { continue }
            _ = try await session.send(.DELETE, options.path("role-mappings", id))
            removed.append("\(id) (\(old.role))")
        }
        if options.output == .json {
            Console.write(try JSONValue(encoding: mapping).rendered())
        } else {
            Console.write("mapped group \(group) to role \(role) (\(mapping.id ?? "?"))"
                + (removed.isEmpty ? "" : "; removed \(removed.joined(separator: ", "))"))
        }
    }

    private func isLevelRole(_ role: String) -> Bool { TrustLevel(role: role) != nil }
}
