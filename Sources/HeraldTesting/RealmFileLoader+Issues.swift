import HeraldAPI
import Testing

extension RealmFileLoader {
    /// The issues loading `text` reports, empty when it loads: what the realm-file tests
    /// compare. Any other error fails the test (it is not a realm-file finding).
    public func issues(in text: String, file: String = "r.yaml", baseDirectory: String = "/nonexistent",
                       json: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) -> [RealmFileIssue] {
        do {
            _ = try load(text: text, file: file, baseDirectory: baseDirectory, json: json)
            return []
        } catch let error as RealmFileError {
            return error.issues
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            return []
        }
    }
}
