import Foundation
import HeraldVerifier
import Hummingbird
import Logging

/// `herald-example-rp`: a small API that accepts only requests signed by agents whose
/// passports a trusted Herald issued (wire-formats §5). See README.md beside this file.
@main
struct RelyingPartyApp {
    static func main() async {
        let configuration: RelyingPartyConfiguration
        let sources: [String: any JWKSSource]
        do {
            configuration = try RelyingPartyConfiguration(arguments: Array(CommandLine.arguments.dropFirst()),
                                                          environment: ProcessInfo.processInfo.environment)
            sources = try configuration.keySources()
        } catch {
            FileHandle.standardError.write(Data("herald-example-rp: \(error)\n".utf8))
            exit(1)
        }
        var logger = Logger(label: "herald-example-rp")
        logger.logLevel = .info
        let verifier = AgentSignatureVerifier(trustedIssuers: sources, skew: configuration.skew)
        let app = Application(router: RelyingPartyRoutes.router(verifier: verifier),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                              logger: logger)
        logger.info("trusting agent passports of \(configuration.issuers.joined(separator: ", "))")
        do { try await app.runService() } catch {
            FileHandle.standardError.write(Data("herald-example-rp: \(error)\n".utf8))
            exit(1)
        }
    }
}
