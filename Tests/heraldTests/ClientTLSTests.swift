import ArgumentParser
import Foundation
import HeraldTesting
import Testing
@testable import herald

@Suite("CLI TLS options")
struct ClientTLSTests {
    @Test("flags win over HERALD_CACERT/HERALD_CLIENT_*, empty variables are unset, paths become absolute")
    func givenFiles() throws {
        let environment = ["HERALD_CACERT": "/env/ca.pem", "HERALD_CLIENT_CERT": "", "HERALD_CLIENT_KEY": ""]
        let fromEnvironment = try Console.$environment.withValue(environment) {
            try TLSClientOptions.parse([]).given
        }
        #expect(fromEnvironment == ClientTLS(caCert: "/env/ca.pem"))
        let fromFlags = try Console.$environment.withValue(environment) {
            try TLSClientOptions.parse(["--cacert", "ca.pem", "--client-cert", "/c.crt", "--client-key", "/c.key"]).given
        }
        let cwd = FileManager.default.currentDirectoryPath
        #expect(fromFlags == ClientTLS(caCert: (cwd as NSString).appendingPathComponent("ca.pem"),
                                       clientCert: "/c.crt", clientKey: "/c.key"))
    }

    @Test("a client certificate without its key, or a key alone, is refused at parsing")
    func halfAPair() {
        Console.$environment.withValue([:]) {
            #expect(throws: (any Error).self) { try TLSClientOptions.parse(["--client-cert", "/c.crt"]) }
            #expect(throws: (any Error).self) { try TLSClientOptions.parse(["--client-key", "/c.key"]) }
        }
        Console.$environment.withValue(["HERALD_CLIENT_CERT": "/c.crt"]) {
            #expect(throws: (any Error).self) { try TLSClientOptions.parse([]) }
        }
        #expect(throws: CLIError.usage("--client-cert and --client-key go together: pass both (PEM files)")) {
            try ClientTLS(clientCert: "/c.crt").configuration()
        }
    }

    @Test("a later command's files replace the login's: the CA alone, the client pair only together")
    func override() {
        let saved = ClientTLS(caCert: "/saved/ca.pem", clientCert: "/saved/c.crt", clientKey: "/saved/c.key")
        #expect(saved.overridden(by: .system) == saved)
        #expect(saved.overridden(by: ClientTLS(caCert: "/new/ca.pem"))
            == ClientTLS(caCert: "/new/ca.pem", clientCert: "/saved/c.crt", clientKey: "/saved/c.key"))
        #expect(saved.overridden(by: ClientTLS(clientCert: "/n.crt", clientKey: "/n.key"))
            == ClientTLS(caCert: "/saved/ca.pem", clientCert: "/n.crt", clientKey: "/n.key"))
    }

    @Test("unreadable and non-PEM files are usage errors that name the option and never quote the file")
    func badFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: CLIError.usage("cannot read --cacert /nonexistent/ca.pem; check the path and its permissions")) {
            try ClientTLS(caCert: "/nonexistent/ca.pem").configuration()
        }
        let garbage = directory.file("ca.pem")
        try Data("not a certificate, secret-looking-text".utf8).write(to: URL(fileURLWithPath: garbage))
        do {
            _ = try ClientTLS(caCert: garbage).configuration()
            Issue.record("a non-PEM CA file was accepted")
        } catch let error as CLIError {
            #expect(error.kind == .usage)
            #expect(error.message.hasPrefix("--cacert \(garbage) is not a PEM file"))
            #expect(!error.message.contains("secret-looking-text"))
        }
        let noKey = directory.file("key.pem")
        try Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)
            .write(to: URL(fileURLWithPath: noKey))
        #expect(throws: CLIError.usage("--client-key \(noKey) is not an unencrypted PEM private key "
            + "(-----BEGIN PRIVATE KEY-----, EC or RSA)")) { try ClientTLS.privateKey(noKey) }
    }

    @Test("the system store and TLS 1.2 at least when no file is given")
    func defaults() throws {
        let configuration = try ClientTLS.system.configuration()
        #expect(configuration.minimumTLSVersion == .tlsv12)
        #expect(configuration.certificateVerification == .fullVerification)
        #expect(configuration.trustRoots == nil || configuration.trustRoots == .default)
        #expect(configuration.certificateChain.isEmpty)
    }

    @Test("BoringSSL's reasons map to the option to pass")
    func hints() {
        struct Failure: Error, CustomStringConvertible { let description: String }
        func failure(_ name: String) -> Failure {
            Failure(description: "handshakeFailed(sslError([Error: 1 error:1000007d:SSL routines:OPENSSL_internal:\(name) at /x]))")
        }
        let none = ClientTLS.system
        #expect(none.hint(for: failure("CERTIFICATE_VERIFY_FAILED"))?.reason == "CERTIFICATE_VERIFY_FAILED")
        #expect(none.hint(for: failure("CERTIFICATE_VERIFY_FAILED"))?.hint.contains("pass --cacert FILE") == true)
        #expect(ClientTLS(caCert: "/ca.pem").hint(for: failure("CERTIFICATE_VERIFY_FAILED"))?.hint
            .contains("not signed by a CA in --cacert /ca.pem") == true)
        #expect(none.hint(for: failure("TLSV1_ALERT_CERTIFICATE_REQUIRED"))?.hint
            .hasPrefix("the admin listener requires a client certificate: pass --client-cert") == true)
        #expect(ClientTLS(clientCert: "/c.crt", clientKey: "/c.key").hint(for: failure("TLSV1_ALERT_UNKNOWN_CA"))?.hint
            .hasPrefix("the admin listener refused the client certificate /c.crt") == true)
        #expect(none.hint(for: Failure(description: "connectTimeout")) == nil)
        #expect(ClientTLS.sslReason("error:OPENSSL_internal:WRONG_VERSION_NUMBER at x") == "WRONG_VERSION_NUMBER")
    }

    @Test("sessions saved before TLS load, and login's paths round-trip")
    func sessionPaths() throws {
        let old = Data("""
            {"server":"https://h:9443","client_id":"a","client_secret":"s","access_token":"t",\
            "expires_at":"2026-01-01T00:00:00Z"}
            """.utf8)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Session.self, from: old).tls == .system)
        var session = try decoder.decode(Session.self, from: old)
        session.tls = ClientTLS(caCert: "/ca.pem", clientCert: "/c.crt", clientKey: "/c.key")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try JSONValue(parsing: try encoder.encode(session))
        #expect(json["ca_cert"]?.string == "/ca.pem")
        #expect(json["client_key"]?.string == "/c.key")
        #expect(try decoder.decode(Session.self, from: try encoder.encode(session)) == session)
    }
}
