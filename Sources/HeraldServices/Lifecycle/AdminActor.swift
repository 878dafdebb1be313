/// The admin client making the current request, for audit entries: set by the admin API's
/// authentication middleware, read by the services that record what an admin changed.
package enum AdminActor {
    /// The value outside any admin request.
    package static let unknown = "unknown"
    @TaskLocal package static var current = unknown
}
