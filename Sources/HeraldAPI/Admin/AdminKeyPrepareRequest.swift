/// `POST /admin/realms/{r}/keys` (the body is optional): the algorithm of the key to
/// prepare, by default the realm's signing algorithm.
package struct AdminKeyPrepareRequest: AdminRequestBody, Encodable, Equatable {
    package var alg: String?

    package init(alg: String? = nil) {
        self.alg = alg
    }
}
