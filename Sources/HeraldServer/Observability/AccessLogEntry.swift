import Foundation

/// One access log line: what was asked, by whom, and how it was answered. Never the query
/// string, the body or any header value other than the request id (they can carry secrets).
struct AccessLogEntry: Sendable {
    var time: Date
    var requestID: String
    /// The client's address, honouring trusted proxies like the brute-force limits do.
    var remote: String
    var method: String
    /// The path without its query string.
    var path: String
    var status: Int
    /// The response body's length, when known before it is sent.
    var bytes: Int?
    var duration: Duration
    var realm: String?
    var clientID: String?

    /// Longest path written; longer ones are cut (a log line must stay one bounded line).
    static let maxPath = 512

    /// The line in `format`, newline included; nil for `.off`.
    func line(_ format: AccessLogFormat) -> String? {
        let milliseconds = Double(duration.components.seconds) * 1000
            + Double(duration.components.attoseconds) / 1e15
        let ms = String(format: "%.3f", milliseconds)
        let path = self.path.count > Self.maxPath ? String(self.path.prefix(Self.maxPath)) : self.path
        switch format {
        case .off:
            return nil
        case .text:
            var line = "\(Self.timestamp(time)) access request_id=\(requestID) remote=\(Self.text(remote))"
            line += " method=\(Self.text(method)) path=\(Self.text(path)) status=\(status)"
            line += " bytes=\(bytes.map(String.init) ?? "-") duration_ms=\(ms)"
            line += " realm=\(realm.map(Self.text) ?? "-") client_id=\(clientID.map(Self.text) ?? "-")\n"
            return line
        case .json:
            var line = #"{"ts":"\#(Self.timestamp(time))","type":"access","request_id":\#(Self.json(requestID))"#
            line += #","remote":\#(Self.json(remote)),"method":\#(Self.json(method)),"path":\#(Self.json(path))"#
            line += #","status":\#(status),"bytes":\#(bytes.map(String.init) ?? "null"),"duration_ms":\#(ms)"#
            line += #","realm":\#(realm.map(Self.json) ?? "null"),"client_id":\#(clientID.map(Self.json) ?? "null")}"#
            return line + "\n"
        }
    }

    /// A value for the text format: bare when it is plain, else quoted with `"` and `\`
    /// escaped and control characters as `\u{…}`, so a value can never start a new field or line.
    static func text(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" && $0 != "="
        }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A JSON string literal.
    static func json(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds, without a formatter (cheap, and the same in every locale).
    static func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
