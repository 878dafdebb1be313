/// A policy denial of a capability request, already audited (with its rule) by the time it
/// is thrown: the capability path's generic refusal entry is not written for it again.
struct PolicyDenial: Error {
    let error: OAuthError
}
