import Foundation
import HeraldCore

extension RealmDocument {
    /// One `upstream_idps` entry in the realm-file form, so that an export imports again.
    static func upstreamIdPObject(_ idp: UpstreamIdP) -> [String: Any] {
        var object: [String: Any] = [
            "issuer": idp.issuer, "audience": idp.audience, "subject_claim": idp.subjectClaim,
            "roles_claim": idp.rolesClaim, "may_act": idp.mayAct,
            "role_mappings": Dictionary(idp.roleMappings.map { ($0.upstream, $0.level.role) }, uniquingKeysWith: { a, _ in a }),
        ]
        if let uri = idp.jwksURI { object["jwks_uri"] = uri }
        if let jwks = idp.jwks, let parsed = try? JSONSerialization.jsonObject(with: Data(jwks.utf8)) {
            object["jwks"] = parsed
        }
        if let level = idp.maxLevel { object["max_level"] = level.name }
        return object
    }
}
