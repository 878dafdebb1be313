import Foundation
import HeraldCore
import HeraldVerifier

/// The example relying party's settings, from flags or the environment:
///
/// | flag | environment | default |
/// |---|---|---|
/// | `--issuer URL` (repeatable) | `HERALD_RP_ISSUERS` (comma-separated) | `http://127.0.0.1:8080/realms/acme` |
/// | `--jwks-url URL` | `HERALD_RP_JWKS_URL` | `{issuer}/.well-known/agent-trust-keys` |
/// | `--issuer-keys FILE` | `HERALD_RP_ISSUER_KEYS` | none: fetch the JWKS |
/// | `--listen HOST:PORT` | `HERALD_RP_LISTEN` | `127.0.0.1:8090` |
/// | `--skew SECONDS` | `HERALD_RP_SKEW` | 300 |
///
/// `--jwks-url` and `--issuer-keys` apply to a single `--issuer`.
struct RelyingPartyConfiguration {
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    var issuers: [String] = []
    var jwksURL: String?
    var issuerKeysFile: String?
    var host = "127.0.0.1"
    var port = 8090
    var skew: TimeInterval = 300

    static let usage = """
        usage: herald-example-rp [--issuer URL]... [--jwks-url URL | --issuer-keys FILE] [--listen HOST:PORT] [--skew SECONDS]

        Trusts agent passports of each --issuer (default http://127.0.0.1:8080/realms/acme, the
        demo realm of `make run`), with the issuer's keys fetched from
        {issuer}/.well-known/agent-trust-keys (or --jwks-url), or pinned from a JWKS file
        (--issuer-keys). Routes: GET /health (open), GET /public (L0), GET /reports (L2),
        POST /deploy (L3), POST /payments (L4). Environment: HERALD_RP_ISSUERS,
        HERALD_RP_JWKS_URL, HERALD_RP_ISSUER_KEYS, HERALD_RP_LISTEN, HERALD_RP_SKEW.
        """

    /// Reads `arguments` (without the program name) over `environment`.
    init(arguments: [String], environment: [String: String]) throws {
        if let issuers = environment["HERALD_RP_ISSUERS"] {
            self.issuers = issuers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        jwksURL = environment["HERALD_RP_JWKS_URL"]
        issuerKeysFile = environment["HERALD_RP_ISSUER_KEYS"]
        if let listen = environment["HERALD_RP_LISTEN"] { try setListen(listen) }
        if let skew = environment["HERALD_RP_SKEW"] { try setSkew(skew) }

        var flagIssuers: [String] = []
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "--help" || flag == "-h" { throw UsageError(description: Self.usage) }
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value\n\n\(Self.usage)") }
            switch flag {
            case "--issuer": flagIssuers.append(value)
            case "--jwks-url": jwksURL = value
            case "--issuer-keys": issuerKeysFile = value
            case "--listen": try setListen(value)
            case "--skew": try setSkew(value)
            default: throw UsageError(description: "unknown flag \(flag)\n\n\(Self.usage)")
            }
        }
        if !flagIssuers.isEmpty { issuers = flagIssuers }
        if issuers.isEmpty { issuers = ["http://127.0.0.1:8080/realms/acme"] }
        issuers = issuers.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        for issuer in issuers where URL(string: issuer)?.host == nil {
            throw UsageError(description: "--issuer must be an issuer URL such as http://127.0.0.1:8080/realms/acme, not \(issuer)")
        }
        if (jwksURL != nil || issuerKeysFile != nil) && issuers.count != 1 {
            throw UsageError(description: "--jwks-url and --issuer-keys name the keys of one issuer; give exactly one --issuer")
        }
        if jwksURL != nil && issuerKeysFile != nil {
            throw UsageError(description: "give --jwks-url or --issuer-keys, not both")
        }
    }

    private mutating func setListen(_ value: String) throws {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
              (1...65535).contains(port), colon != value.startIndex
        else { throw UsageError(description: "--listen takes HOST:PORT such as 127.0.0.1:8090, not \(value)") }
        host = String(value[..<colon])
        self.port = port
    }

    private mutating func setSkew(_ value: String) throws {
        guard let seconds = Int(value), (0...3600).contains(seconds) else {
            throw UsageError(description: "--skew is a number of seconds from 0 to 3600, not \(value)")
        }
        skew = TimeInterval(seconds)
    }

    /// Where each trusted issuer's keys come from.
    func keySources() throws -> [String: any JWKSSource] {
        var sources: [String: any JWKSSource] = [:]
        for issuer in issuers {
            if let issuerKeysFile {
                guard let data = FileManager.default.contents(atPath: issuerKeysFile) else {
                    throw UsageError(description: "cannot read --issuer-keys \(issuerKeysFile)")
                }
                do { sources[issuer] = try StaticJWKS(jwks: data) } catch {
                    throw UsageError(description: "--issuer-keys \(issuerKeysFile) is not a JWKS: \(error.reason)")
                }
                continue
            }
            let text = jwksURL ?? issuer + "/.well-known/agent-trust-keys"
            guard let url = URL(string: text), url.host != nil else {
                throw UsageError(description: "--jwks-url must be an http(s) URL, not \(text)")
            }
            sources[issuer] = RemoteJWKSCache(url: url)
        }
        return sources
    }
}
