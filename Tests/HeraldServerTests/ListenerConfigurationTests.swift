import Foundation
import HeraldCore
@testable import HeraldServer
import Testing

/// The listener pieces that need no socket: address parsing, the combinations
/// `herald serve` refuses, which paths each listener serves, and the certificate
/// file errors an operator sees at startup. Handshakes, reloads and mTLS run against
/// a real herald in Tests/interop/test_tls.py.
@Suite("Listeners: addresses, combinations, path scopes, certificate file errors")
struct ListenerConfigurationTests {
    let publicAddress = ListenAddress(host: "127.0.0.1", port: 8443)

    @Test("HOST:PORT, [IPv6]:PORT; anything else names the flag and an example")
    func addresses() throws {
        #expect(try ListenAddress(parsing: "0.0.0.0:9443", option: "--admin-listen") == ListenAddress(host: "0.0.0.0", port: 9443))
        #expect(try ListenAddress(parsing: "[::1]:9090", option: "--metrics-listen") == ListenAddress(host: "::1", port: 9090))
        #expect(ListenAddress(host: "::1", port: 9090).description == "[::1]:9090")
        for bad in ["9090", ":9090", "localhost", "host:70000", "host:-1", "host:http", "[]:80"] {
            let error = #expect(throws: HeraldError.self) { try ListenAddress(parsing: bad, option: "--metrics-listen") }
            #expect(error?.message.contains("--metrics-listen must be HOST:PORT") == true, "\(bad)")
            #expect(error?.message.hasSuffix("not \(bad)") == true)
        }
    }

    @Test("admin TLS, mTLS and shared ports that cannot mean what was meant are refused with the fix")
    func combinations() throws {
        let pair = TLSFiles(certificate: "/c.pem", key: "/k.pem")
        let admin = ListenAddress(host: "127.0.0.1", port: 9443)
        func message(_ configuration: ListenerConfiguration) -> String? {
            do { try configuration.validate(publicAddress: publicAddress); return nil } catch {
                return (error as? HeraldError)?.message
            }
        }
        #expect(message(ListenerConfiguration()) == nil)
        #expect(message(ListenerConfiguration(tls: pair, admin: admin, adminClientCA: "/ca.pem")) == nil)
        #expect(message(ListenerConfiguration(admin: admin, adminTLS: pair, adminClientCA: "/ca.pem")) == nil)
        #expect(message(ListenerConfiguration(adminTLS: pair))?.contains("need --admin-listen") == true)
        #expect(message(ListenerConfiguration(tls: pair, adminClientCA: "/ca.pem"))?.contains("--admin-client-ca needs --admin-listen") == true)
        #expect(message(ListenerConfiguration(admin: admin, adminClientCA: "/ca.pem"))?
            .contains("needs TLS on the admin listener") == true)
        #expect(message(ListenerConfiguration(admin: publicAddress))?
            .contains("--admin-listen 127.0.0.1:8443 is the same address as --listen") == true)
        #expect(message(ListenerConfiguration(admin: admin, metrics: admin))?
            .contains("--metrics-listen 127.0.0.1:9443 is the same address as --admin-listen") == true)
        // The admin listener falls back to the public pair; its own pair wins.
        let own = TLSFiles(certificate: "/a.pem", key: "/ak.pem")
        #expect(ListenerConfiguration(tls: pair, admin: admin).effectiveAdminTLS == pair)
        #expect(ListenerConfiguration(tls: pair, admin: admin, adminTLS: own).effectiveAdminTLS == own)
    }

    @Test("each listener serves its paths and health; moved paths cannot be spelled past the filter")
    func scopes() {
        let publicOnly = ListenerScope(admin: false, metrics: false, issuer: true)
        for path in ["/admin/realms", "/admin", "//admin/realms", "/Admin/realms", "/ADMIN/realms", "/%61dmin/realms",
                     "/metrics", "/Metrics", "/%6detrics", "/x/../admin/realms", "/./admin/realms", "/a%2F..%2Fadmin"] {
            #expect(!publicOnly.allows(path: path), "\(path)")
        }
        for path in ["/health/live", "/health/ready", "/realms/acme/.well-known/openid-configuration", "/.well-known/jwks.json",
                     "/realms/master/protocol/openid-connect/token"] {
            #expect(publicOnly.allows(path: path), "\(path)")
        }
        #expect(ListenerScope.adminOnly.allows(path: "/admin/realms/acme"))
        #expect(ListenerScope.adminOnly.allows(path: "/realms/master/protocol/openid-connect/token"))
        #expect(ListenerScope.adminOnly.allows(path: "/health/ready"))
        #expect(!ListenerScope.adminOnly.allows(path: "/realms/acme/protocol/openid-connect/token"))
        #expect(!ListenerScope.adminOnly.allows(path: "/metrics"))
        #expect(ListenerScope.metricsOnly.allows(path: "/metrics"))
        #expect(ListenerScope.metricsOnly.allows(path: "/health/live"))
        #expect(!ListenerScope.metricsOnly.allows(path: "/admin/realms"))
        #expect(!ListenerScope.metricsOnly.allows(path: "/realms/master/protocol/openid-connect/token"))
        // Without separate listeners nothing is filtered, whatever the spelling.
        #expect(ListenerScope.everything.allows(path: "/x/../admin"))
    }

    @Test("certificate files that cannot be used are refused naming the file, the flag and the fix")
    func certificateFileErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let junk = directory.appendingPathComponent("junk.pem").path
        try "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let empty = directory.appendingPathComponent("empty.pem").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let missing = directory.appendingPathComponent("missing.pem").path

        func message(_ files: TLSFiles) -> String {
            do { _ = try CertificatePair(files: files); return "" } catch { return (error as? HeraldError)?.message ?? "\(error)" }
        }
        let unreadable = message(TLSFiles(certificate: missing, key: junk))
        #expect(unreadable.contains("cannot read the TLS certificate --tls-cert \(missing)"))
        #expect(unreadable.contains("may read it"))
        let admin = TLSFiles(certificate: junk, key: missing, certificateOption: "--admin-tls-cert", keyOption: "--admin-tls-key")
        #expect(message(admin).contains("cannot read the TLS private key --admin-tls-key \(missing)"))
        #expect(message(TLSFiles(certificate: junk, key: junk)).contains("--tls-cert \(junk) is not a PEM certificate chain"))
        #expect(message(TLSFiles(certificate: empty, key: junk)).contains("--tls-cert \(empty)"))
        #expect(throws: HeraldError.self) { try CertificateStore(files: TLSFiles(certificate: missing, key: missing), listener: "public") }
        #expect(throws: HeraldError.self) { try ListenerSet.loadClientCA(empty) }
        #expect(throws: HeraldError.self) { try ListenerSet.loadClientCA(missing) }
    }
}
