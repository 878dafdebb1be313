import Foundation
import HeraldCore
import NIOSSL

/// A certificate chain and its private key, read from their PEM files and checked the way
/// an operator would want to hear about it: readable, PEM, in date, and key matching leaf.
struct CertificatePair: Sendable {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    /// What the handshake callback hands NIOSSL: the chain and key as sources.
    let override: NIOSSLContextConfigurationOverride

    /// The leaf's serial number in hex, as `openssl x509 -serial` prints it.
    var serial: String { chain[0].serialNumber.map { String(format: "%02X", $0) }.joined() }
    var notValidAfter: Date { Date(timeIntervalSince1970: TimeInterval(chain[0].notValidAfter)) }

    /// Reads and checks `files`; every failure says which file, what is wrong and the fix.
    init(files: TLSFiles, now: Date = Date()) throws {
        let chainBytes = try Self.read(files.certificate, option: files.certificateOption, what: "certificate")
        let keyBytes = try Self.read(files.key, option: files.keyOption, what: "private key")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(chainBytes) } catch {
            throw HeraldError(.invalidConfiguration, """
                \(files.certificateOption) \(files.certificate) is not a PEM certificate chain (\(error)); \
                it must hold -----BEGIN CERTIFICATE----- blocks, the server certificate first, then any intermediates
                """)
        }
        guard let leaf = chain.first else {
            throw HeraldError(.invalidConfiguration, """
                \(files.certificateOption) \(files.certificate) holds no certificate; it must hold \
                -----BEGIN CERTIFICATE----- blocks, the server certificate first, then any intermediates
                """)
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem) } catch {
            throw HeraldError(.invalidConfiguration, """
                \(files.keyOption) \(files.key) is not an unencrypted PEM private key (\(error)); give the \
                server certificate's key (PKCS#8, RSA or EC); decrypt a key with a passphrase with `openssl pkey -in KEY -out KEY.pem`
                """)
        }
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        if notAfter <= now {
            throw HeraldError(.invalidConfiguration, """
                the certificate in \(files.certificateOption) \(files.certificate) expired at \
                \(Self.format(notAfter)); renew it and replace the file (herald reloads it on SIGHUP or when it changes)
                """)
        }
        if notBefore > now {
            throw HeraldError(.invalidConfiguration, """
                the certificate in \(files.certificateOption) \(files.certificate) is not valid before \
                \(Self.format(notBefore)); check this machine's clock, or use a certificate valid now
                """)
        }
        // BoringSSL refuses a key that does not belong to the leaf when it loads the pair
        // into a context: the cheapest exact check, and the same one a handshake would make.
        var probe = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                             privateKey: .privateKey(key))
        probe.minimumTLSVersion = .tlsv12
        do { _ = try NIOSSLContext(configuration: probe) } catch {
            throw HeraldError(.invalidConfiguration, """
                the private key \(files.keyOption) \(files.key) does not match the certificate \
                \(files.certificateOption) \(files.certificate) (\(error)); give the key the certificate was issued \
                for (compare `openssl x509 -noout -pubkey -in CERT` with `openssl pkey -pubout -in KEY`)
                """)
        }
        self.chain = chain
        self.key = key
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        self.override = override
    }

    private static func read(_ path: String, option: String, what: String) throws -> [UInt8] {
        do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw HeraldError(.invalidConfiguration, """
                cannot read the TLS \(what) \(option) \(path): \(reason.trimmingCharacters(in: CharacterSet(charactersIn: ". "))); check the path and that the user \
                running herald may read it
                """)
        }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
