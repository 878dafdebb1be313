import Synchronization

/// The pre-rendered documents of every realm, by realm name, built on the first request after
/// what they are made of changed and then served as they are (``RenderedDocument``).
///
/// An entry remembers what it was rendered from (`source`); a request compares that with the
/// realm's current value (an ETag string, an object identity) and re-renders only on a
/// difference, so a key rotation or a realm update is served by the next request. Bounded: one
/// entry per realm the registry knows (an unknown realm is refused before it gets here).
final class RenderedDocuments<Source: Equatable & Sendable>: Sendable {
    private struct Entry: Sendable {
        let source: Source
        let document: RenderedDocument
    }

    private let entries = Mutex<[String: Entry]>([:])

    init() {}

    /// The document of `realm` rendered from `source`: the cached one when it was rendered
    /// from an equal source, else `render()`'s, which then replaces it.
    func document(realm: String, source: Source, render: () throws -> RenderedDocument) rethrows -> RenderedDocument {
        if let entry = entries.withLock({ $0[realm] }), entry.source == source { return entry.document }
        let document = try render()
        entries.withLock { $0[realm] = Entry(source: source, document: document) }
        return document
    }
}
