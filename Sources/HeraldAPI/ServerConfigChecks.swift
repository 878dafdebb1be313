import Foundation
import HeraldCore

/// The value checks of `herald.yaml` keys: each returns what is wrong and what to write, or nil.
public enum ServerConfigChecks {
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// `HOST:PORT`; the port 0…65535.
    @Sendable public static func hostPort(_ text: String) -> String? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return "'\(text)' is not HOST:PORT; write e.g. 127.0.0.1:8080 or [::1]:8080" }
        return nil
    }

    @Sendable public static func httpURL(_ text: String) -> String? {
        guard let scheme = URL(string: text)?.scheme, ["http", "https"].contains(scheme), URL(string: text)?.host != nil
        else { return "'\(text)' is not an http(s) URL; write e.g. https://herald.example.com" }
        return nil
    }

    @Sendable public static func realmName(_ text: String) -> String? {
        guard text.wholeMatch(of: /[a-z0-9-]{1,63}/) != nil
        else { return "'\(text)' is not a realm name; use 1–63 lower-case letters, digits and dashes" }
        return nil
    }

    /// The schemes of the store backends this build opens (StoreBackends.standard in HeraldStore).
    public static let storeSchemes = ["postgres", "postgresql", "sqlite"]

    /// A store URL whose scheme this build opens (`sqlite:PATH`, `postgres://…`).
    @Sendable public static func storeURL(_ text: String) -> String? {
        do {
            let location = try StoreLocation(parsing: text)
            guard storeSchemes.contains(location.scheme) else {
                return "'\(location.scheme):' is not a store this Herald opens; write sqlite:/var/lib/herald/herald.sqlite "
                    + "or postgres://USER:PASSWORD@HOST:5432/DATABASE"
            }
            return nil
        } catch let error as HeraldError { return error.message } catch { return "\(error)" }
    }

    /// A positive duration such as `60s`, `5m` or `1h`.
    @Sendable public static func duration(_ text: String) -> String? {
        DurationText.seconds(text) == nil ? "'\(text)' is not a duration; write e.g. 60s, 5m or 1h" : nil
    }

    /// The longest interval of a background check (``checkInterval(_:)``): an hour between
    /// looks for due work would leave a due key rotation or directory sync waiting that long.
    public static let maxCheckIntervalSeconds = 3600

    /// A background service's check interval: a duration from 1s to 1h.
    @Sendable public static func checkInterval(_ text: String) -> String? {
        guard let seconds = DurationText.seconds(text), seconds <= maxCheckIntervalSeconds else {
            return "'\(text)' is not an interval from 1s to 1h; write a whole number and s, m or h, e.g. 5s or 1m"
        }
        return nil
    }

    /// A whole number from 1 to 10,000,000.
    @Sendable public static func count(_ text: String) -> String? {
        guard let value = Int(text), (1...10_000_000).contains(value) else {
            return "'\(text)' is not a whole number from 1 to 10000000"
        }
        return nil
    }

    @Sendable public static func ipAddress(_ text: String) -> String? {
        var v4 = in_addr(), v6 = in6_addr()
        guard inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
        else { return "'\(text)' is not an IP address; write e.g. 10.0.0.5 or fd00::5 (no port, no name)" }
        return nil
    }
}
