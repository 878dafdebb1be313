/// `POST /admin/realms/{r}/agents/{id}/code`: the agent's code hash
/// (`sha256:` and 64 lowercase hex digits) and who approved (by default the admin client).
package struct AdminCodeRequest: AdminRequestBody, Encodable, Equatable {
    package var codeHash: String
    package var approver: String?

    package init(codeHash: String, approver: String? = nil) {
        self.codeHash = codeHash
        self.approver = approver
    }

    enum CodingKeys: String, CodingKey {
        case approver
        case codeHash = "code_hash"
    }
}
