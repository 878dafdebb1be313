import ArgumentParser
import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE

/// `herald federation bundle show|verify`: a trust bundle file, offline.
struct FederationBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Offline: show or verify a trust bundle file.",
        subcommands: [FederationBundleShowCommand.self, FederationBundleVerifyCommand.self])

    /// The compact JWS in `file` (or standard input for `-`), white space trimmed.
    static func read(_ file: String) throws -> String {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError.usage("cannot read the bundle file \(file)")
            }
            data = contents
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The summary `show` and `verify` print: who, which sequence, until when, which keys,
    /// how many agents by status and level.
    static func render(_ bundle: TrustBundle, header: JOSEHeader, extra: [(String, JSONValue)],
                       as format: OutputFormat) -> String {
        var byStatus: [String: Int] = [:]
        var byLevel: [String: Int] = [:]
        for agent in bundle.agents {
            byStatus[agent.status.rawValue, default: 0] += 1
            byLevel[agent.trustLevel.name, default: 0] += 1
        }
        let statusCounts = BundleAgent.Status.allCases.map { ($0.rawValue, byStatus[$0.rawValue] ?? 0) }
        let levelCounts = TrustLevel.allCases.map { ($0.name, byLevel[$0.name] ?? 0) }
        let fields: [(String, JSONValue)] = extra + [
            ("iss", .string(bundle.iss)),
            ("kind", .string(bundle.isDelta ? "delta" : "full")),
            ("sequence", .int(bundle.sequence)),
            ("since", bundle.since.map(JSONValue.int) ?? .null),
            ("iat", .string(MCPSTimestamp.format(bundle.iat))),
            ("exp", .string(MCPSTimestamp.format(bundle.exp))),
            ("refresh_hint", .int(Int64(bundle.refreshHint))),
            ("alg", .string(header.alg)),
            ("kid", header.kid.map(JSONValue.string) ?? .null),
            ("federation_keys", .array(bundle.federationKeys.map { .string($0.thumbprint) })),
            ("issuer_keys", .array(bundle.issuerKeys.map { .string($0.kid) })),
            ("agents", .int(Int64(bundle.agents.count))),
            ("removed", bundle.isDelta ? .int(Int64(bundle.removed.count)) : .null),
            ("agents_by_status", .object(Dictionary(uniqueKeysWithValues: statusCounts.map { ($0, .int(Int64($1))) }))),
            ("agents_by_level", .object(Dictionary(uniqueKeysWithValues: levelCounts.map { ($0, .int(Int64($1))) }))),
        ]
        if format == .json {
            return JSONValue.object(Dictionary(fields, uniquingKeysWith: { $1 })).rendered()
        }
        let rows = fields.filter { $0.1 != .null }.map { name, value -> [String] in
            switch name {
            case "agents_by_status": [name, statusCounts.map { "\($0) \($1)" }.joined(separator: ", ")]
            case "agents_by_level": [name, levelCounts.map { "\($0) \($1)" }.joined(separator: ", ")]
            case "federation_keys", "issuer_keys": [name, value.array?.map(\.cell).joined(separator: " ") ?? ""]
            default: [name, value.cell]
            }
        }
        return renderTable(["FIELD", "VALUE"], rows)
    }
}
