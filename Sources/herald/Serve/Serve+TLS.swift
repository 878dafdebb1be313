import ArgumentParser
import HeraldCore
import HeraldServer

/// `herald serve`'s TLS and listener options, read into a `ListenerConfiguration`: each
/// flag falls back to its `HERALD_*` variable, and half a pair is a usage error.
extension ServeCommand {
    /// The environment variables of these options, for the command's discussion.
    static let listenerEnvironment = "HERALD_TLS_CERT, HERALD_TLS_KEY, HERALD_ADMIN_LISTEN, HERALD_METRICS_LISTEN, "
        + "HERALD_ADMIN_TLS_CERT, HERALD_ADMIN_TLS_KEY, HERALD_ADMIN_CLIENT_CA"

    /// Sets the listeners, and with TLS on and no `--public-url` an `https://LISTEN` default.
    func applyListeners(to configuration: inout ServerConfiguration, environment: [String: String]) throws {
        configuration.listeners = try listenerConfiguration(environment: environment)
        if configuration.listeners.tls != nil, (publicURL ?? environment["HERALD_PUBLIC_URL"]).map(\.isEmpty) ?? true {
            configuration.publicURL = "https://\(ListenAddress(host: configuration.host, port: configuration.port))"
        }
    }

    func listenerConfiguration(environment: [String: String]) throws -> ListenerConfiguration {
        func value(_ flag: String?, _ variable: String) -> String? {
            (flag ?? environment[variable]).flatMap { $0.isEmpty ? nil : $0 }
        }
        func pair(_ cert: String?, _ certVariable: String, _ certOption: String,
                  _ key: String?, _ keyVariable: String, _ keyOption: String) throws -> TLSFiles? {
            switch (value(cert, certVariable), value(key, keyVariable)) {
            case (nil, nil): return nil
            case let (cert?, key?):
                return TLSFiles(certificate: cert, key: key, certificateOption: certOption, keyOption: keyOption)
            case (_?, nil): throw ValidationError("\(certOption) needs \(keyOption) (env \(keyVariable)): the private key of that certificate")
            case (nil, _?): throw ValidationError("\(keyOption) needs \(certOption) (env \(certVariable)): the certificate chain of that key")
            }
        }
        func address(_ flag: String?, _ variable: String, _ option: String) throws -> ListenAddress? {
            guard let text = value(flag, variable) else { return nil }
            do { return try ListenAddress(parsing: text, option: option) } catch let error as HeraldError {
                throw ValidationError(error.message)
            }
        }
        var listeners = ListenerConfiguration(
            tls: try pair(tlsCert, "HERALD_TLS_CERT", "--tls-cert", tlsKey, "HERALD_TLS_KEY", "--tls-key"),
            admin: try address(adminListen, "HERALD_ADMIN_LISTEN", "--admin-listen"),
            metrics: try address(metricsListen, "HERALD_METRICS_LISTEN", "--metrics-listen"),
            adminTLS: try pair(adminTLSCert, "HERALD_ADMIN_TLS_CERT", "--admin-tls-cert",
                               adminTLSKey, "HERALD_ADMIN_TLS_KEY", "--admin-tls-key"),
            adminClientCA: value(adminClientCA, "HERALD_ADMIN_CLIENT_CA"))
        listeners.certificateCheckInterval = .seconds(2)
        let (host, port) = try listenAddress()
        do { try listeners.validate(publicAddress: ListenAddress(host: host, port: port)) } catch let error as HeraldError {
            throw ValidationError(error.message)
        }
        return listeners
    }
}
