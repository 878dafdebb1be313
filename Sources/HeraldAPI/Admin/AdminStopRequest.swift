/// `POST /admin/realms/{r}/agents/{id}/suspend|revoke`: why, and who approved (by default
/// the admin client).
package struct AdminStopRequest: AdminRequestBody, Encodable, Equatable {
    package var reason: String
    package var approver: String?

    package init(reason: String, approver: String? = nil) {
        self.reason = reason
        self.approver = approver
    }
}
