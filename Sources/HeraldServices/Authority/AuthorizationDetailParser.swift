import Foundation
import HeraldCore
import HeraldJOSE

/// Reads `authorization_details` (RFC 9396 §2) strictly into one ``AuthorizationDetail``: a
/// JSON array of exactly one object with `type`, `actions` (one), `locations` (one absolute
/// http(s) URI), `identifier`, and, for a payment, `amount` (a decimal string) with
/// `currency`. Other members are refused: the resource server executes exactly what the
/// token says, so nothing in it may be something Herald did not check.
package enum AuthorizationDetailParser {
    static let allowedMembers: Set<String> = ["type", "actions", "locations", "identifier", "amount", "currency"]
    static let maxBytes = 4096

    package static func parse(_ text: String) throws(ServiceError) -> AuthorizationDetail {
        func invalid(_ what: String) -> ServiceError { .invalidRequest("authorization_details: \(what)") }
        let bytes = Array(text.utf8)
        guard bytes.count <= maxBytes else { throw invalid("longer than \(maxBytes) bytes") }
        do { try JCSParser.checkUniqueMemberNames(bytes) } catch {
            throw invalid("must be JSON with unique member names")
        }
        guard let array = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [Any] else {
            throw invalid("must be a JSON array of one object")
        }
        guard array.count == 1, let object = array[0] as? [String: Any] else {
            throw invalid("must hold exactly one object: a capability is one action on one resource; ask for one "
                          + "capability per action")
        }
        if let unknown = object.keys.sorted().first(where: { !allowedMembers.contains($0) }) {
            throw invalid("member \(unknown) is not taken; use type, actions, locations, identifier, amount, currency")
        }
        let type = try string(object, "type", pattern: /[A-Za-z0-9._:\/-]{1,128}/)
        let action = try single(object, "actions", pattern: /[A-Za-z0-9._:\/-]{1,128}/)
        let location = try single(object, "locations", pattern: /[^\s]{1,2048}/)
        guard let url = URLComponents(string: location), url.scheme == "https" || url.scheme == "http",
              url.host?.isEmpty == false else {
            throw invalid("locations[0] must be an absolute http(s) URI of the resource server, not \(location)")
        }
        let identifier = try string(object, "identifier", pattern: /[^\n\r\t]{1,512}/)
        // A string, as in RFC 9396's examples: a JSON number would pass through a binary
        // floating-point value on the way, and 0.1 is not exactly 0.1.
        var amount: String?
        if let value = object["amount"] {
            guard let text = value as? String else {
                throw invalid("amount must be a decimal number as a string, e.g. \"125.50\"")
            }
            amount = text
        }
        let currency = object["currency"] == nil ? nil : try string(object, "currency", pattern: /[A-Z]{3}/)
        if let amount {
            guard amount.wholeMatch(of: /[0-9]{1,15}(\.[0-9]{1,6})?/) != nil,
                  let value = Decimal(string: amount, locale: Locale(identifier: "en_US_POSIX")), value > 0 else {
                throw invalid("amount must be a positive decimal number with at most 6 decimals, not \(amount)")
            }
            guard currency != nil else { throw invalid("amount needs its currency (ISO 4217, e.g. EUR)") }
        } else if currency != nil {
            throw invalid("currency is given without an amount")
        }
        return AuthorizationDetail(type: type, action: action, location: location, identifier: identifier,
                                   amount: amount, currency: currency)
    }

    private static func string(_ object: [String: Any], _ name: String, pattern: Regex<Substring>)
        throws(ServiceError) -> String
    {
        guard let value = object[name] as? String else {
            throw .invalidRequest("authorization_details: \(name) must be a string")
        }
        guard (try? pattern.wholeMatch(in: value)) != nil else {
            throw .invalidRequest("authorization_details: \(name) '\(value.prefix(64))' is not valid")
        }
        return value
    }

    private static func single(_ object: [String: Any], _ name: String, pattern: Regex<Substring>)
        throws(ServiceError) -> String
    {
        guard let values = object[name] as? [Any], values.count == 1, let value = values[0] as? String else {
            throw .invalidRequest("authorization_details: \(name) must be an array of exactly one string")
        }
        guard (try? pattern.wholeMatch(in: value)) != nil else {
            throw .invalidRequest("authorization_details: \(name)[0] '\(value.prefix(64))' is not valid")
        }
        return value
    }
}
