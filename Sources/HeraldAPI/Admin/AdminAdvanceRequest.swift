/// `POST /admin/realms/{r}/agents/{id}/advance`: the stage to pass into (any case) and who
/// approved the gate.
package struct AdminAdvanceRequest: AdminRequestBody, Encodable, Equatable {
    package var to: String
    package var approver: String

    package init(to: String, approver: String) {
        self.to = to
        self.approver = approver
    }
}
