import HeraldCore

extension AuthorizationDetail {
    /// The facts of the detail for an audit entry's `detail`.
    package var auditFacts: [String: String] {
        var facts = ["type": type, "action": action, "location": location, "identifier": identifier]
        if let amount { facts["amount"] = amount }
        if let currency { facts["currency"] = currency }
        return facts
    }
}
