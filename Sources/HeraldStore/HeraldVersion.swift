/// The release of this Herald binary: recorded in the database by the binary that migrated
/// it last, and in every backup manifest, so that a refusal can say which Herald wrote what.
public enum HeraldVersion {
    /// `major.minor.patch`; raise it with every release that ships a migration.
    public static let current = "0.1.0"
}
