import ArgumentParser
import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE

/// `herald federation bench --agents N` (hidden): issue 6's targets for a bundle of N
/// agents — build and sign under 1 s, verify and apply under 1 s — plus the full bundle's
/// size and the size of a delta after 1 % of the agents changed.
///
/// A hidden verb of the one binary, like `passport bench`, so it measures the very code
/// the server and `bundle verify` run. Wall-clock seconds, best of `--rounds`.
struct FederationBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure trust bundle build, sign, verify and apply.", shouldDisplay: false)

    @Option(help: "Agents in the bundle.") var agents: Int = 100_000
    @Option(help: "Share of agents changed for the delta, in percent.") var changedPercent: Double = 1
    @Option(help: "Repetitions; the best time of each step is reported.") var rounds: Int = 3
    @Option(help: "ES256|EdDSA") var alg: String = "ES256"
    @Option(help: "Exit 2 when build+sign or verify+apply takes longer than this many seconds.") var requireUnder: Double?
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        guard agents > 0, agents <= 10_000_000 else { throw ValidationError("--agents is between 1 and 10000000") }
        guard rounds > 0, rounds <= 100 else { throw ValidationError("--rounds is between 1 and 100") }
        guard (0...100).contains(changedPercent) else { throw ValidationError("--changed-percent is between 0 and 100") }
        guard SigningAlgorithm(rawValue: alg) != nil else { throw ValidationError("--alg is ES256 or EdDSA") }
    }

    func run() throws {
        let federationKey = SigningKey.generate(SigningAlgorithm(rawValue: alg)!)
        let signer = JWTSigner(key: federationKey)
        let entity = "https://globex.example/realms/globex"
        let now = Date()
        let stages = ["ACTIVE", "PROD_APPROVED", "TESTING"]
        let list = (0..<agents).map { index in
            BundleAgent(sub: "globex-agent-\(String(index + 1_000_000).dropFirst())", trustLevel: TrustLevel(rawValue: index % 5)!,
                        trustScore: index % 101, pipelineStage: stages[index % 3],
                        status: index % 50 == 0 ? .suspended : .active,
                        updatedAt: now.addingTimeInterval(-Double(index % 86_400)))
        }
        let issuerKeys = [SigningKey.generate(.es256).publicKey, SigningKey.generate(.edDSA).publicKey]
        func bundle(_ sequence: Int64, _ agents: [BundleAgent]) -> TrustBundle {
            TrustBundle(iss: entity, iat: now, exp: now.addingTimeInterval(3600), sequence: sequence, refreshHint: 300,
                        issuerKeys: issuerKeys, federationKeys: [federationKey.publicKey],
                        agents: agents)
        }
        let anchor = PeerAnchor(entity: entity, pins: [federationKey.kid])

        var encodeTime = Double.infinity, signTime = Double.infinity
        var verifyTime = Double.infinity, applyTime = Double.infinity
        var compact = "", payloadBytes = 0
        var verified: VerifiedBundle?
        for _ in 0..<rounds {
            let full = bundle(1, list)
            encodeTime = min(encodeTime, try Self.time { payloadBytes = full.encoded().count })
            signTime = min(signTime, try Self.time { compact = try full.signed(by: signer) })
            verifyTime = min(verifyTime, try Self.time {
                verified = try BundleVerifier.verify(try UnverifiedBundle(compact: compact), anchor: anchor, now: now)
            })
            var view = PeerView(entity: entity)
            applyTime = min(applyTime, try Self.time { try view.apply(verified!) })
            precondition(view.agents.count == agents, "the applied view lost agents")
        }

        // The delta: the change log records the full list, then the list with a share changed.
        var log = BundleDelta()
        log.record(list, sequence: 1)
        let step = max(1, Int((100 / max(changedPercent, 0.0001)).rounded()))
        var changedList = list
        var changed = 0
        if changedPercent > 0 {
            for index in stride(from: 0, to: changedList.count, by: step) {
                changedList[index].trustScore = (changedList[index].trustScore + 1) % 101
                changedList[index].updatedAt = now
                changed += 1
            }
        }
        var recordTime = 0.0
        recordTime = try Self.time { log.record(changedList, sequence: 2) }
        let delta = log.delta(of: bundle(2, changedList), since: 1)!
        let deltaCompact = try delta.signed(by: signer)
        var view = PeerView(entity: entity)
        try view.apply(verified!)
        let deltaApply = try Self.time {
            let checked = try BundleVerifier.verify(try UnverifiedBundle(compact: deltaCompact),
                                                    anchor: verified!.updatedAnchor, now: now)
            try view.apply(checked)
        }
        precondition(view.agents.count == agents && view.sequence == 2, "the delta did not apply")

        let verifyApply = verifyTime + applyTime
        let results: [(String, JSONValue)] = [
            ("agents", .int(Int64(agents))), ("alg", .string(alg)),
            ("encode_seconds", Self.seconds(encodeTime)), ("build_sign_seconds", Self.seconds(signTime)),
            ("verify_seconds", Self.seconds(verifyTime)), ("apply_seconds", Self.seconds(applyTime)),
            ("verify_apply_seconds", Self.seconds(verifyApply)),
            ("full_bytes", .int(Int64(compact.utf8.count))), ("full_payload_bytes", .int(Int64(payloadBytes))),
            ("delta_changed_agents", .int(Int64(changed))), ("delta_bytes", .int(Int64(deltaCompact.utf8.count))),
            ("delta_record_seconds", Self.seconds(recordTime)),
            ("delta_verify_apply_seconds", Self.seconds(deltaApply)),
        ]
        if output == .json {
            Console.write(JSONValue.object(Dictionary(results, uniquingKeysWith: { $1 })).rendered())
        } else {
            Console.write(renderTable(["MEASUREMENT", "VALUE"], results.map { [$0.0, $0.1.cell] }))
        }
        if let requireUnder, max(signTime, verifyApply) > requireUnder {
            throw CLIError.refused(String(format: "build+sign %.3f s, verify+apply %.3f s: over %.3f s",
                                          signTime, verifyApply, requireUnder))
        }
    }

    /// Wall-clock seconds `body` takes.
    static func time(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func seconds(_ value: Double) -> JSONValue { .string(String(format: "%.3f", value)) }
}
