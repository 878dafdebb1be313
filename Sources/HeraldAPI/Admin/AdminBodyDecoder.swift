import Foundation

/// Reads admin API request bodies into their Codable types, strictly: a member of the wrong
/// JSON type, a JSON `null`, or a required member left out is a refusal that names the
/// member and what to send, never a silent default (`"label": null` is not "no label", and
/// `"groups": [false]` is not the group "false").
///
/// Messages follow two forms. A member of the body itself: `reason must be a non-empty
/// string`. Anything deeper, in the realm-file loader's words and with the body's place in
/// the realm file (``AdminBodyRules/path``): `levels.L1.label: expected a string`.
package enum AdminBodyDecoder {
    /// The body as a JSON object's members; `optional` takes an empty body as `{}`.
    package static func members(of data: Data, optional: Bool = false) throws(AdminBodyError)
        -> [String: OpaqueJSON]
    {
        if optional && data.isEmpty { return [:] }
        guard let value = try? JSONDecoder().decode(OpaqueJSON.self, from: data), let members = value.object else {
            throw AdminBodyError(optional ? "the body must be a JSON object (or empty)" : "the body must be a JSON object")
        }
        return members
    }

    /// `data` read as `Body`; `optional` takes an empty body as `{}`.
    package static func decode<Body: AdminRequestBody>(_ type: Body.Type, from data: Data, optional: Bool = false)
        throws(AdminBodyError) -> Body
    {
        try decode(type, from: members(of: data, optional: optional))
    }

    /// A body already read as an object (checked member by member first) read as `Body`.
    package static func decode<Body: AdminRequestBody>(_ type: Body.Type, from members: [String: OpaqueJSON])
        throws(AdminBodyError) -> Body
    {
        let state = StrictDecodingState(rules: Body.rules)
        let body: Body
        do {
            body = try Body(from: StrictDecoder(value: .object(members), codingPath: [], state: state, expected: nil))
        } catch let error as AdminBodyError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw AdminBodyError("\(state.render(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw AdminBodyError("the body is not valid: \(error)")
        }
        if let unknown = state.unknownMember() { throw unknown }
        return body
    }
}
