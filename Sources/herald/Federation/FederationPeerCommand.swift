import ArgumentParser
import Foundation
import HeraldCore

/// `herald federation peer …`: the realm's federation peers, through the admin API
/// (wire-formats §9); they are stored in the realm's `federation.peers`.
struct FederationPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer", abstract: "Add, list, show, remove and refresh federation peers.",
        discussion: """
            A peer is another organisation's realm, named by its entity (issuer) URL and pinned by \
            the thumbprint of its federation key (`herald federation key show` on the partner's side \
            prints it). Its agents are trusted here at most at --max-level. A peer is named by its id \
            (peer-…, from `peer list`) or by its entity URL.
            """,
        subcommands: [FederationPeerAddCommand.self, FederationPeerListCommand.self, FederationPeerShowCommand.self,
                      FederationPeerRemoveCommand.self, FederationPeerRefreshCommand.self])
}

/// Rendering of the admin API's peer object, and the checks and look-ups the peer verbs share.
enum PeerTable {
    /// What to do when a peer is not found.
    static let notFoundHint = "`herald federation peer list` shows them"

    static let listHeader = ["ID", "ENTITY", "STATUS", "MAX LEVEL", "SEQUENCE", "AGENTS", "LAST SUCCESS", "NEXT REFRESH"]

    static func renderList(_ json: JSONValue) -> String {
        let peers = json["peers"]?.array ?? []
        guard !peers.isEmpty else { return "no federation peers; add one with `herald federation peer add`" }
        return renderTable(listHeader, peers.map { peer in
            [peer["id"]?.cell ?? "", peer["entity"]?.cell ?? "", peer["status"]?.cell ?? "",
             peer["max_level"]?.cell ?? "", peer["sequence"]?.cell ?? "", agents(peer["agents"]),
             peer["last_success"]?.cell ?? "", peer["next_refresh"]?.cell ?? ""]
        })
    }

    /// One peer: a status line, then every field.
    static func renderOne(_ peer: JSONValue) -> String {
        let fields: [(String, String)] = [
            ("id", peer["id"]?.cell ?? ""),
            ("entity", peer["entity"]?.cell ?? ""),
            ("status", peer["status"]?.cell ?? ""),
            ("code", peer["code"]?.cell ?? ""),
            ("reason", oneLine(peer["reason"]?.cell ?? "")),
            ("pin", peer["pin"]?.cell ?? ""),
            ("max_level", peer["max_level"]?.cell ?? ""),
            ("refresh", peer["refresh"].map { $0 == .null ? "bundle's refresh_hint" : $0.cell } ?? ""),
            ("max_staleness", peer["max_staleness"]?.cell ?? ""),
            ("sequence", peer["sequence"]?.cell ?? ""),
            ("bundle_expires_at", peer["bundle_expires_at"]?.cell ?? ""),
            ("agents", agents(peer["agents"])),
            ("known_keys", peer["known_keys"]?.array?.map(\.cell).joined(separator: " ") ?? ""),
            ("failures", peer["failures"]?.cell ?? ""),
            ("last_attempt", peer["last_attempt"]?.cell ?? ""),
            ("last_success", peer["last_success"]?.cell ?? ""),
            ("next_refresh", peer["next_refresh"]?.cell ?? ""),
        ]
        return renderTable(["FIELD", "VALUE"], fields.map { [$0.0, $0.1] })
            .split(separator: "\n").dropFirst().joined(separator: "\n")
    }

    /// `active 3, suspended 1, revoked 0`.
    static func agents(_ counts: JSONValue?) -> String {
        guard let counts, counts != .null else { return "" }
        return ["active", "suspended", "revoked"].map { "\($0) \(counts[$0]?.cell ?? "0")" }.joined(separator: ", ")
    }

    /// `peer ID (ENTITY) is STATUS`, with the code and reason when it is not ok.
    static func statusLine(_ peer: JSONValue) -> String {
        var line = "peer \(peer["id"]?.cell ?? "?") (\(peer["entity"]?.cell ?? "?")) is \(peer["status"]?.cell ?? "?")"
        if peer["status"]?.string != "ok" {
            let code = peer["code"]?.string
            let reason = peer["reason"]?.string.map(oneLine)
            switch (code, reason) {
            case let (code?, reason?): line += ": \(code): \(reason)"
            case let (code?, nil): line += ": \(code)"
            case let (nil, reason?): line += ": \(reason)"
            case (nil, nil): break
            }
        }
        return line
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// An entity is an http(s) URL with a host, without query, fragment or trailing '/'.
    static func checkEntity(_ entity: String, option: String) throws {
        guard let url = URL(string: entity), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil, url.query == nil, url.fragment == nil, !entity.contains(where: \.isWhitespace)
        else {
            throw ValidationError("\(option) must be the peer's issuer URL, e.g. https://herald.globex.example/realms/globex, not '\(entity)'")
        }
        guard !entity.hasSuffix("/") else {
            throw ValidationError("\(option) is the issuer exactly as the peer's tokens name it: drop the trailing '/'")
        }
    }

    static func isEntity(_ peer: String) -> Bool {
        let lower = peer.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// A peer argument: an id (`peer-…`, no '/') or an entity URL.
    static func checkPeer(_ peer: String) throws {
        if isEntity(peer) { return try checkEntity(peer, option: "the peer") }
        guard (1...128).contains(peer.count), !peer.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("name a peer by its id (peer-…, see `herald federation peer list`) or its entity URL, not '\(peer)'")
        }
    }

    /// The peer's id: the argument itself, or for an entity URL the id of the peer with that
    /// entity (looked up in the list, so that no URL has to travel inside a path).
    static func resolve(_ peer: String, session: AdminSession, options: AdminOptions) async throws -> String {
        guard isEntity(peer) else { return peer }
        let list = try await session.json(.GET, options.path("federation", "peers"))
        guard let found = list["peers"]?.array?.first(where: { $0["entity"]?.string == peer }),
              let id = found["id"]?.string
        else {
            throw CLIError.refused("realm \(options.realmName) has no federation peer \(peer); "
                + "`herald federation peer list` shows them")
        }
        return id
    }
}
