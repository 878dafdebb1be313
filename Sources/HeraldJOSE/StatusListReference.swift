import HeraldCore

/// A token's or passport's entry in a status list: the `status` claim
/// `{"status_list":{"idx":N,"uri":…}}` (draft-ietf-oauth-status-list §6.1).
public struct StatusListReference: Sendable, Hashable {
    /// The index of the entry in the list.
    public var index: Int
    /// The URI of the status list token (`{issuer}/statuslists/{id}`).
    public var uri: String

    public init(index: Int, uri: String) {
        self.index = index
        self.uri = uri
    }

    /// Writes `{"status_list":{"idx":…,"uri":…}}`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("status_list")
        writer.beginObject()
        writer.member("idx", index)
        writer.member("uri", uri)
        writer.endObject()
        writer.endObject()
    }

    /// Reads the `status` claim's value.
    public init(_ value: JCSValue) throws {
        guard let list = value["status_list"], let index = list["idx"]?.intValue, index >= 0,
              let uri = list["uri"]?.stringValue
        else { throw JOSEError(.malformed, "claim status must be {\"status_list\":{\"idx\":N,\"uri\":\"…\"}}") }
        self.init(index: Int(index), uri: uri)
    }
}
