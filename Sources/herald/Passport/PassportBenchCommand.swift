import ArgumentParser
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HeraldCore
import HeraldJOSE
import HeraldVerifier

/// `herald passport bench` (hidden): offline passport verification against raw ES256
/// verification, in one process and one run, for issue 5's target (passport verification
/// at least 80 % of raw ES256 verify throughput).
///
/// A hidden verb of the one binary rather than a separate executable: `make bench` already
/// builds `herald` in release mode, and the measurement must use the very verifier code the
/// `passport verify` verb ships.
struct PassportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure offline passport verification against raw ES256 verification.",
        shouldDisplay: false)

    @Option(help: "CPU seconds for the whole measurement (shared by the three operations).") var seconds: Double = 6
    @Option(help: "Exit 2 when a passport/raw ratio is below this (e.g. 0.8).") var requireRatio: Double?
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds is between 0 and 600") }
    }

    func run() throws {
        let issuerKey = SigningKey.generate(.es256)
        let agentKey = SigningKey.generate(.es256)
        let issuer = "https://herald.example/realms/acme"
        let now = Date()
        let iat = Int64(now.timeIntervalSince1970)
        let agent = PassportAgent(name: "bench-agent", version: "1.0.0", capabilities: ["payment_initiate", "sanctions_screen"])
        let jwt = try JWTPassportClaims(
            issuer: issuer, subject: "bench-agent", issuedAt: iat, expiresAt: iat + 3600, passportID: MCPSPassport.newID(),
            agent: agent, codeHash: "sha256:" + String(repeating: "ab", count: 32), trustLevel: .l3, trustScore: 72,
            pipelineStage: "ACTIVE", confirmationKey: agentKey.publicKey,
            status: StatusListReference(index: 17, uri: issuer + "/statuslists/1")).signed(by: JWTSigner(key: issuerKey))
        let mcps = try MCPSPassport(agent: agent, publicKey: agentKey.publicKey, origin: "https://api.example.com",
                                    trustLevel: .l3, issuedAt: now, expiresAt: now.addingTimeInterval(3600),
                                    issuer: issuer).signed(with: issuerKey).json
        // A realistic JWKS: the active key plus a retired one.
        let verifier = PassportVerifier(keys: [issuerKey.publicKey, SigningKey.generate(.es256).publicKey], issuer: issuer)

        // Raw: one P-256 verification of the same JWS signing input, key and signature pre-parsed.
        guard case .p256(let publicKey) = issuerKey.publicKey.material else { throw CLIError.usage("not a P-256 key") }
        let parts = jwt.split(separator: ".")
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Base64URL.decode(String(parts[2]))!)
        let jwtBytes = Array(jwt.utf8)

        _ = try verifier.verify(jwtBytes, now: now)
        _ = try verifier.verify(mcps, now: now)
        let rates = Self.measure(seconds: seconds, [
            { publicKey.isValidSignature(signature, for: input) },
            { (try? verifier.verify(jwtBytes, now: now)) != nil },
            { (try? verifier.verify(mcps, now: now)) != nil },
        ])
        let (raw, jwtRate, mcpsRate) = (rates[0], rates[1], rates[2])
        let rows: [(String, Double)] = [("raw ES256 verify", raw), ("JWT passport verify", jwtRate),
                                        ("MCPS passport verify", mcpsRate)]
        if output == .json {
            Console.write(JSONValue.object([
                "cpu_seconds": .string(String(seconds)), "raw_es256_per_s": .int(Int64(raw)),
                "jwt_passport_per_s": .int(Int64(jwtRate)), "mcps_passport_per_s": .int(Int64(mcpsRate)),
                "jwt_ratio": .string(String(format: "%.3f", jwtRate / raw)),
                "mcps_ratio": .string(String(format: "%.3f", mcpsRate / raw)),
            ]).rendered())
        } else {
            Console.write(renderTable(["MEASUREMENT", "PER SECOND", "RATIO TO RAW"], rows.map { name, rate in
                [name, String(Int(rate)), String(format: "%.3f", rate / raw)]
            }))
        }
        if let requireRatio, min(jwtRate, mcpsRate) / raw < requireRatio {
            throw CLIError.refused(String(format: "passport verification reached %.3f of raw ES256, below %.3f",
                                          min(jwtRate, mcpsRate) / raw, requireRatio))
        }
    }

    /// Operations per CPU second of each operation: rounds of 100 ms of thread CPU time per
    /// operation, interleaved, best round kept. CPU time rather than wall time, and the best
    /// of interleaved rounds, so that other work on the machine (a build, another test)
    /// neither slows one measurement more than another nor bends the ratio.
    static func measure(seconds: Double, _ operations: [() -> Bool]) -> [Double] {
        var best = [Double](repeating: 0, count: operations.count)
        let rounds = max(3, Int(seconds / (0.1 * Double(operations.count))))
        for _ in 0..<rounds {
            for (index, operation) in operations.enumerated() {
                best[index] = max(best[index], rate(of: operation, for: 0.1))
            }
        }
        return best
    }

    /// Operations per CPU second of `operation` over `seconds` of this thread's CPU time;
    /// fails loudly if it ever returns false.
    static func rate(of operation: () -> Bool, for seconds: Double) -> Double {
        let start = threadCPUTime()
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<32 {
                precondition(operation(), "a verification failed during the benchmark")
            }
            count += 32
            elapsed = threadCPUTime() - start
        } while elapsed < seconds
        return Double(count) / elapsed
    }

    /// CPU seconds this thread has used.
    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
