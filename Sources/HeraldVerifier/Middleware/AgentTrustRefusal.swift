import HeraldCore
import HTTPTypes
import Hummingbird

/// One refusal of ``AgentTrustMiddleware``: status, the RFC 6749-style `error`, the distinct
/// `reason` code, a description that never holds a credential, and the challenge.
struct AgentTrustRefusal: Error, Sendable {
    let status: HTTPResponse.Status
    let error: String
    let reason: String
    let description: String
    /// `WWW-Authenticate` values, one field each.
    let challenges: [String]

    static func unauthorized(_ reason: String, _ description: String, scheme: Scheme) -> AgentTrustRefusal {
        AgentTrustRefusal(status: .unauthorized, error: "invalid_token", reason: reason, description: description,
                          challenges: scheme.challenges(error: "invalid_token", description: description))
    }

    static func forbidden(_ reason: String, _ description: String, scheme: Scheme) -> AgentTrustRefusal {
        AgentTrustRefusal(status: .forbidden, error: "insufficient_trust", reason: reason, description: description,
                          challenges: scheme.challenges(error: "insufficient_scope", description: description))
    }

    static func unavailable(_ reason: String, _ description: String) -> AgentTrustRefusal {
        AgentTrustRefusal(status: .serviceUnavailable, error: "temporarily_unavailable", reason: reason,
                          description: description, challenges: [])
    }

    /// Which scheme a challenge names: the one the request used, or both when it used none.
    enum Scheme {
        case bearer, signature, both

        func challenges(error: String, description: String) -> [String] {
            let parameters = #"error="\#(error)", error_description="\#(AgentTrustRefusal.quoted(description))""#
            switch self {
            case .bearer: return ["Bearer " + parameters]
            case .signature: return ["AgentSignature " + parameters]
            case .both: return ["Bearer " + parameters, "AgentSignature " + parameters]
            }
        }
    }

    /// The text of a quoted-string (RFC 9110 §5.6.4): printable ASCII, `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\": out.append("\\"); out.unicodeScalars.append(scalar)
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out.append("?")
            }
        }
        return out
    }

    var response: Response {
        var writer = JSONWriter(capacity: 128 + description.utf8.count)
        writer.beginObject()
        writer.member("error", error)
        writer.member("reason", reason)
        writer.member("error_description", description)
        writer.endObject()
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        for challenge in challenges { headers.append(HTTPField(name: .wwwAuthenticate, value: challenge)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
