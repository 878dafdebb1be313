import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// An issuer's JWKS fetched over HTTP and cached the way RFC 9111 and OIDC Core §10.1.1
/// expect of a relying party:
///
/// - a set is kept for its `Cache-Control: max-age`, bounded by the configuration's minimum
///   and maximum (the default when the header is absent), and re-validated with its `ETag`;
/// - concurrent lookups share one fetch (single flight);
/// - a `kid` the fresh set lacks triggers one re-fetch per
///   ``Configuration-swift.struct/unknownKeyRefetchInterval`` (the issuer may have rotated),
///   then fails with ``JWKSFetchError/Code-swift.struct/unknownKey``;
/// - when a refresh fails, a `kid` the previous set holds is still served from it (up to
///   ``Configuration-swift.struct/maximumStaleness``) — after the failure at once, with the
///   next refresh in the background; any other lookup fails with the fetch's own error
///   (`unreachable`, `badStatus`, `malformed`, `tooLarge`);
/// - keys of types Herald cannot verify with are skipped, not fatal; RSA (RS256) keys are
///   read too when ``Configuration-swift.struct/acceptsRSAKeys`` is set, and handed out by
///   ``thirdPartyKey(for:)`` and ``thirdPartyKeys()`` (``key(for:)`` never returns one).
///
/// A lookup that the cached set answers takes a lock and no suspension, so the class sits
/// on a request's hot path at the cost of a dictionary-free linear scan over a few keys.
public final class RemoteJWKSCache: JWKSSource {
    /// The JWKS URL.
    public let url: URL
    /// The caching and fetching bounds.
    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let clock: any HeraldClock
    private let logger: Logger
    private let state = Mutex(State())

    private struct Snapshot: Sendable {
        let keys: [PublicJWK]
        /// The set as ``thirdPartyKey(for:)`` reads it (with RSA keys when configured).
        let thirdParty: [ThirdPartyJWK]
        let expiresAt: Date
        let etag: String?
    }

    private typealias Fetch = Task<Result<Snapshot, JWKSFetchError>, Never>

    private struct State: Sendable {
        var snapshot: Snapshot?
        var inFlight: Fetch?
        /// When the last fetch started: the unknown-kid rate limit counts every fetch, since
        /// one that just happened would return the same set.
        var lastFetchStarted: Date?
        /// When a lookup last re-fetched for an unknown kid (the limit when routine fetches
        /// do not count).
        var lastUnknownKeyRefetch: Date?
        var lastFailure: (at: Date, error: JWKSFetchError)?
    }

    /// The client the verifier's caches fetch with unless given another: like
    /// `HTTPClient.shared`, but a refused connection fails at once instead of being retried
    /// until the deadline (a relying party should learn in milliseconds that its issuer is
    /// down, not in ``Configuration-swift.struct/timeout``), and connecting may take 2 s.
    /// Never shut down, as `HTTPClient.shared` is not.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A cache of the JWKS at `url`, fetched with `httpClient`; `clock` decides freshness
    /// (tests move it by hand). Nothing is fetched until the first lookup.
    public init(url: URL, httpClient: HTTPClient = RemoteJWKSCache.defaultHTTPClient,
                configuration: Configuration = Configuration(),
                clock: any HeraldClock = SystemClock(), logger: Logger = Logger(label: "herald.verifier.jwks")) {
        self.url = url
        self.httpClient = httpClient
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    private enum Plan<Key> {
        case found(Key)
        case fetch
        case fail(JWKSFetchError)
    }

    /// The key with `kid` (declared kid, else RFC 7638 thumbprint); with a nil `kid`, the
    /// set's only key. Fetches or re-fetches as the type's rules say.
    public func key(for kid: String?) async throws(JWKSFetchError) -> PublicJWK {
        try await lookup(kid, in: { $0.keys }, select: { $0.select(kid: kid) })
    }

    /// Every usable key of the current set, fetching it when absent or expired; the stale set
    /// when a refresh fails within ``Configuration-swift.struct/maximumStaleness``.
    public func keys() async throws(JWKSFetchError) -> [PublicJWK] {
        try await allKeys { $0.keys }
    }

    /// As ``key(for:)``, for a caller that also verifies RS256 (an issuer checking an upstream
    /// IdP's tokens): the key of the set read as ``Configuration-swift.struct/acceptsRSAKeys``
    /// says. Same caching, re-fetch and staleness rules.
    public func thirdPartyKey(for kid: String?) async throws(JWKSFetchError) -> ThirdPartyJWK {
        try await lookup(kid, in: { $0.thirdParty }, select: { $0.select(kid: kid) })
    }

    /// As ``keys()``, every usable key including RSA ones when
    /// ``Configuration-swift.struct/acceptsRSAKeys`` is set.
    public func thirdPartyKeys() async throws(JWKSFetchError) -> [ThirdPartyJWK] {
        try await allKeys { $0.thirdParty }
    }

    /// The key `select` picks from the set `keysOf` reads, fetching as the type's rules say.
    private func lookup<Key: Sendable>(_ kid: String?, in keysOf: (Snapshot) -> [Key],
                                       select: ([Key]) -> Key?) async throws(JWKSFetchError) -> Key {
        let now = clock.now()
        let plan: Plan<Key> = state.withLock { state in
            if let snapshot = state.snapshot, now < snapshot.expiresAt {
                if let key = select(keysOf(snapshot)) { return .found(key) }
                if state.inFlight != nil { return .fetch }
                if mayRefetchForUnknownKey(state, now: now) {
                    state.lastUnknownKeyRefetch = now
                    return .fetch
                }
                return .fail(unknownKey(kid, count: keysOf(snapshot).count, refetched: false))
            }
            // In an outage (the last fetch failed), a kid the stale set holds is answered at once
            // while a refresh runs in the background: only the first lookup after the failure
            // waited for the endpoint, however long it takes to time out.
            if let failure = state.lastFailure, let stale = staleSnapshot(state, now: now), let key = select(keysOf(stale)) {
                if state.inFlight == nil, now >= failure.at + configuration.failureBackoff.seconds {
                    _ = startFetch(&state)
                }
                return .found(key)
            }
            if state.inFlight == nil, let failure = state.lastFailure,
               now < failure.at + configuration.failureBackoff.seconds {
                return .fail(failure.error)
            }
            return .fetch
        }
        switch plan {
        case .found(let key): return key
        case .fail(let error): throw error
        case .fetch: break
        }
        switch await refresh() {
        case .success(let snapshot):
            if let key = select(keysOf(snapshot)) { return key }
            throw unknownKey(kid, count: keysOf(snapshot).count, refetched: true)
        case .failure(let error):
            let stale: Key? = state.withLock { state in
                staleSnapshot(state, now: clock.now()).flatMap { select(keysOf($0)) }
            }
            if let stale {
                logger.warning("JWKS refresh failed; serving the cached key", metadata: [
                    "jwks.url": "\(url)", "key.kid": "\(kid ?? "")", "error": "\(error.reason)",
                ])
                return stale
            }
            throw error
        }
    }

    /// The set `keysOf` reads, fetching as ``keys()`` says.
    private func allKeys<Key: Sendable>(_ keysOf: (Snapshot) -> [Key]) async throws(JWKSFetchError) -> [Key] {
        let now = clock.now()
        let cached: [Key]? = state.withLock { state in
            if let snapshot = state.snapshot, now < snapshot.expiresAt { return keysOf(snapshot) }
            // In an outage, the stale set at once and a background refresh (as `key(for:)`).
            if let failure = state.lastFailure, let stale = staleSnapshot(state, now: now) {
                if state.inFlight == nil, now >= failure.at + configuration.failureBackoff.seconds {
                    _ = startFetch(&state)
                }
                return keysOf(stale)
            }
            return nil
        }
        if let cached { return cached }
        switch await refresh() {
        case .success(let snapshot): return keysOf(snapshot)
        case .failure(let error):
            let stale: [Key]? = state.withLock { state in staleSnapshot(state, now: clock.now()).map(keysOf) }
            if let stale { return stale }
            throw error
        }
    }

    /// Drops the cached set, so the next lookup fetches (after an issuer announces a key
    /// revocation, say).
    public func invalidate() {
        state.withLock { $0.snapshot = nil; $0.lastFailure = nil }
    }

    private func mayRefetchForUnknownKey(_ state: State, now: Date) -> Bool {
        let last = configuration.unknownKeyRefetchCountsEveryFetch ? state.lastFetchStarted : state.lastUnknownKeyRefetch
        guard let last else { return true }
        return now >= last + configuration.unknownKeyRefetchInterval.seconds
    }

    private func staleSnapshot(_ state: State, now: Date) -> Snapshot? {
        guard let snapshot = state.snapshot, now < snapshot.expiresAt + configuration.maximumStaleness.seconds
        else { return nil }
        return snapshot
    }

    private func unknownKey(_ kid: String?, count: Int, refetched: Bool) -> JWKSFetchError {
        let when = refetched ? "after a re-fetch" : "(re-fetched at most every \(configuration.unknownKeyRefetchInterval))"
        guard let kid else {
            return JWKSFetchError(.unknownKey, "the JWS names no kid and the JWKS at \(url) holds \(count) keys; a kid is required")
        }
        return JWKSFetchError(.unknownKey, "kid \(kid) is not in the JWKS at \(url) \(when)")
    }

    /// Joins the fetch in flight, or starts one; the fetch installs its own result, so every
    /// waiter sees the same outcome and the state is updated once.
    private func refresh() async -> Result<Snapshot, JWKSFetchError> {
        let fetch: Fetch = state.withLock { state in state.inFlight ?? startFetch(&state) }
        return await fetch.value
    }

    /// Starts a fetch and records it as the one in flight; called with the lock held.
    private func startFetch(_ state: inout State) -> Fetch {
        state.lastFetchStarted = clock.now()
        let previous = state.snapshot
        let task = Fetch { [self] in
            let result = await download(previous: previous)
            self.state.withLock { state in
                state.inFlight = nil
                switch result {
                case .success(let snapshot):
                    state.snapshot = snapshot
                    state.lastFailure = nil
                case .failure(let error):
                    state.lastFailure = (clock.now(), error)
                }
            }
            return result
        }
        state.inFlight = task
        return task
    }

    private func download(previous: Snapshot?) async -> Result<Snapshot, JWKSFetchError> {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        if let etag = previous?.etag { request.headers.add(name: "If-None-Match", value: etag) }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.seconds * 1e9))
        let response: HTTPClientResponse
        do { response = try await httpClient.execute(request, deadline: deadline, logger: logger) } catch {
            logger.warning("JWKS fetch failed", metadata: ["jwks.url": "\(url)", "error": "\(error)"])
            return .failure(JWKSFetchError(.unreachable, "the JWKS at \(url) could not be fetched (\(Self.describe(error))); check that the issuer is up and reachable"))
        }
        let lifetime = configuration.lifetime(cacheControl: response.headers.first(name: "Cache-Control"))
        let expiresAt = clock.now() + lifetime
        if response.status == .notModified, let previous {
            return .success(Snapshot(keys: previous.keys, thirdParty: previous.thirdParty, expiresAt: expiresAt, etag: previous.etag))
        }
        guard response.status == .ok else {
            return .failure(JWKSFetchError(.badStatus, "the JWKS at \(url) answered HTTP \(response.status.code); expected 200"))
        }
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: configuration.maximumResponseBytes) } catch is NIOTooManyBytesError {
            return .failure(JWKSFetchError(.tooLarge, "the JWKS at \(url) is larger than \(configuration.maximumResponseBytes) bytes"))
        } catch {
            return .failure(JWKSFetchError(.unreachable, "the JWKS at \(url) broke off mid-body (\(Self.describe(error)))"))
        }
        let parsed: JWKSDocument.Parsed
        do { parsed = try JWKSDocument.parse(Array(buffer: body), url: url.absoluteString,
                                                    acceptsRSAKeys: configuration.acceptsRSAKeys) } catch {
            return .failure(error)
        }
        for skipped in parsed.skipped {
            logger.debug("JWKS key skipped", metadata: ["jwks.url": "\(url)", "reason": "\(skipped)"])
        }
        return .success(Snapshot(keys: parsed.keys, thirdParty: parsed.thirdParty, expiresAt: expiresAt, etag: response.headers.first(name: "ETag")))
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}
