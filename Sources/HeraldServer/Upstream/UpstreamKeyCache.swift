import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import Logging
import NIOCore
import Synchronization

/// The signing keys of upstream identity providers, fetched from their `jwks_uri` and kept
/// for as long as the response's `Cache-Control: max-age` says (within bounds).
///
/// - One fetch at a time per URL (single flight): a burst of exchanges against a cold or
///   expired cache makes one request to the IdP.
/// - A token naming a kid the cached set lacks makes at most one re-fetch per
///   ``unknownKidInterval`` per URL (a key rotation is picked up at once; a flood of made-up
///   kids cannot turn into a flood of requests to the IdP).
/// - When a re-fetch fails, the last good set is served for up to ``maximumStaleness``;
///   without one the caller answers 503 `temporarily_unavailable`. After a failure the next
///   attempt waits ``failureBackoff``, so a down IdP is not hammered but is used again as
///   soon as it is back.
final class UpstreamKeyCache: Sendable {
    static let defaultMaxAge: TimeInterval = 300
    static let maxAgeBounds: ClosedRange<TimeInterval> = 30...86400
    static let unknownKidInterval: TimeInterval = 10
    static let failureBackoff: TimeInterval = 1
    static let maximumStaleness: TimeInterval = 86400
    static let maxJWKSBytes = 512 * 1024

    /// Why no keys could be had (the IdP's JWKS is unreachable or unusable and nothing is cached).
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    private struct Entry {
        var keys: [ThirdPartyJWK] = []
        var fetchedAt: Date?
        var expiresAt: Date = .distantPast
        var lastUnknownKidFetch: Date = .distantPast
        var lastFailure: (at: Date, reason: String)?
        var flight: Task<[ThirdPartyJWK], any Error>?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let http: HTTPClient
    private let clock: any HeraldClock
    private let logger: Logger
    /// Bumped by each completed fetch, for tests and metrics.
    private let fetchCount = Atomic<Int>(0)

    init(http: HTTPClient = UpstreamKeyCache.httpClient, clock: any HeraldClock, logger: Logger) {
        self.http = http
        self.clock = clock
        self.logger = logger
    }

    var fetches: Int { fetchCount.load(ordering: .relaxed) }

    /// The keys published at `uri`, from the cache while it is fresh.
    func keys(at uri: String) async throws -> [ThirdPartyJWK] {
        let now = clock.now()
        let cached: [ThirdPartyJWK]? = entries.withLock { entries in
            guard let entry = entries[uri], entry.fetchedAt != nil, entry.expiresAt > now else { return nil }
            return entry.keys
        }
        if let cached { return cached }
        return try await fetch(uri)
    }

    /// The keys after a re-fetch for a token whose `kid` the cached set lacks, if one is
    /// allowed now; else the cached keys.
    func keys(at uri: String, refreshingFor kid: String) async throws -> [ThirdPartyJWK] {
        let now = clock.now()
        let allowed: Bool = entries.withLock { entries in
            var entry = entries[uri] ?? Entry()
            guard now.timeIntervalSince(entry.lastUnknownKidFetch) >= Self.unknownKidInterval else { return false }
            entry.lastUnknownKidFetch = now
            entries[uri] = entry
            return true
        }
        guard allowed else { return try await keys(at: uri) }
        logger.info("re-fetching an upstream JWKS for an unknown kid", metadata: ["jwks.uri": "\(uri)", "key.kid": "\(kid)"])
        return try await fetch(uri)
    }

    /// Joins the fetch in flight for `uri`, or starts one.
    private func fetch(_ uri: String) async throws -> [ThirdPartyJWK] {
        let now = clock.now()
        enum Next { case join(Task<[ThirdPartyJWK], any Error>), fail(String) }
        let next: Next = entries.withLock { entries in
            var entry = entries[uri] ?? Entry()
            if let flight = entry.flight { return .join(flight) }
            if let failure = entry.lastFailure, now.timeIntervalSince(failure.at) < Self.failureBackoff {
                return .fail(failure.reason)
            }
            let task = Task { try await self.load(uri) }
            entry.flight = task
            entries[uri] = entry
            return .join(task)
        }
        switch next {
        case .join(let task):
            do { return try await task.value } catch {
                if let stale = staleKeys(uri) { return stale }
                throw Unavailable(description: "\(error)")
            }
        case .fail(let reason):
            if let stale = staleKeys(uri) { return stale }
            throw Unavailable(description: reason)
        }
    }

    /// The last good keys, while they are not older than ``maximumStaleness``.
    private func staleKeys(_ uri: String) -> [ThirdPartyJWK]? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries[uri], entry.fetchedAt != nil, !entry.keys.isEmpty,
                  now.timeIntervalSince(entry.expiresAt) < Self.maximumStaleness
            else { return nil }
            return entry.keys
        }
    }

    /// GET `uri`, parse the key set and store it; the flight ends either way.
    private func load(_ uri: String) async throws -> [ThirdPartyJWK] {
        do {
            let (keys, maxAge) = try await download(uri)
            let now = clock.now()
            fetchCount.add(1, ordering: .relaxed)
            entries.withLock { entries in
                var entry = entries[uri] ?? Entry()
                entry.keys = keys
                entry.fetchedAt = now
                entry.expiresAt = now + maxAge
                entry.lastFailure = nil
                entry.flight = nil
                entries[uri] = entry
            }
            return keys
        } catch {
            let reason = "\(error)"
            logger.warning("upstream JWKS fetch failed", metadata: ["jwks.uri": "\(uri)", "reason": "\(reason)"])
            let now = clock.now()
            fetchCount.add(1, ordering: .relaxed)
            entries.withLock { entries in
                var entry = entries[uri] ?? Entry()
                entry.lastFailure = (now, reason)
                entry.flight = nil
                entries[uri] = entry
            }
            throw error
        }
    }

    private func download(_ uri: String) async throws -> ([ThirdPartyJWK], TimeInterval) {
        var request = HTTPClientRequest(url: uri)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(5)) } catch {
            throw Unavailable(description: "GET \(uri): \(error)")
        }
        guard response.status == .ok else { throw Unavailable(description: "GET \(uri): HTTP \(response.status.code)") }
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: Self.maxJWKSBytes) } catch {
            throw Unavailable(description: "GET \(uri): the key set exceeds \(Self.maxJWKSBytes) bytes")
        }
        let set: ThirdPartyJWK.KeySet
        do { set = try ThirdPartyJWK.parseSet(json: Data(body.readableBytesView)) } catch {
            throw Unavailable(description: "GET \(uri): \((error as? JOSEError)?.reason ?? "\(error)")")
        }
        if !set.skipped.isEmpty {
            logger.debug("upstream JWKS keys skipped", metadata: ["jwks.uri": "\(uri)", "skipped": "\(set.skipped)"])
        }
        let maxAge = Self.maxAge(response.headers.first(name: "Cache-Control"))
        return (set.keys, maxAge)
    }

    /// `max-age` of a Cache-Control value, within ``maxAgeBounds``; the default without one.
    static func maxAge(_ header: String?) -> TimeInterval {
        guard let header else { return defaultMaxAge }
        for directive in header.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "max-age", let seconds = Int(parts[1]) else { continue }
            return min(max(TimeInterval(seconds), maxAgeBounds.lowerBound), maxAgeBounds.upperBound)
        }
        return defaultMaxAge
    }

    /// One client for the life of the process; no connection retries (a down IdP is
    /// reported at once), no redirects (the configured URL is the one trusted).
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
