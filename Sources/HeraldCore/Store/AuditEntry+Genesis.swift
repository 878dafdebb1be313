extension AuditEntry {
    /// The previous hash of every realm's first entry: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)
}
