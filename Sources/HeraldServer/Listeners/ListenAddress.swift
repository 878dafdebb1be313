import HeraldCore

/// A `HOST:PORT` a listener binds (`[::1]:8443` for IPv6), as `--listen`,
/// `--admin-listen` and `--metrics-listen` take it.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; `option` names the flag in the error, which says what to write.
    public init(parsing text: String, option: String) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw HeraldError(.invalidConfiguration, "\(option) must be HOST:PORT, e.g. 127.0.0.1:9090, not \(text)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw HeraldError(.invalidConfiguration, "\(option) must be HOST:PORT, e.g. 127.0.0.1:9090, not \(text)")
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
