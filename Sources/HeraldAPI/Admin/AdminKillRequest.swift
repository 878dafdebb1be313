/// `POST /admin/realms/{r}/agents/{id}/kill` and `…/orgs/{org}/kill`: why.
package struct AdminKillRequest: AdminRequestBody, Encodable, Equatable {
    package var reason: String

    package init(reason: String) {
        self.reason = reason
    }
}
