import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import Logging
import NIOCore
import Synchronization

/// The Token Status Lists (draft-ietf-oauth-status-list, wire-formats §8) a relying party
/// checks tokens against: each list token is fetched from the `uri` a verified token names,
/// verified with the issuer's keys (`typ: statuslist+jwt`, `sub` equal to the URI, `iss`
/// the issuer, unexpired) and kept for its `ttl` (bounded; never past its `exp`).
///
/// The check fails closed: a list that cannot be fetched or verified, or an index beyond
/// it, is ``HeraldTokenVerificationError/Code-swift.struct/statusUnavailable``, except that
/// a list past its `ttl` but not its `exp` is still used while a re-fetch fails (the draft's
/// `exp` is the list's validity; `ttl` only asks for freshness). Concurrent lookups of one
/// URI share one fetch.
public final class RemoteStatusListCache: Sendable {
    /// The issuer whose lists these are; a list URI outside it is refused.
    public let issuer: String
    /// The caching and fetching bounds.
    public let configuration: Configuration
    private let keys: any JWKSSource
    private let httpClient: HTTPClient
    private let clock: any HeraldClock
    private let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])

    private struct Loaded: Sendable {
        let list: StatusList
        let refreshAt: Date
        let expiresAt: Date?
    }

    private typealias Fetch = Task<Result<Loaded, HeraldTokenVerificationError>, Never>

    private struct Entry: Sendable {
        var loaded: Loaded?
        var inFlight: Fetch?
    }

    /// Lists of `issuer`, verified with `keys` (the issuer's JWKS), fetched with `httpClient`.
    public init(issuer: String, keys: any JWKSSource, httpClient: HTTPClient = RemoteJWKSCache.defaultHTTPClient,
                configuration: Configuration = Configuration(), clock: any HeraldClock = SystemClock(),
                logger: Logger = Logger(label: "herald.verifier.statuslist")) {
        self.issuer = issuer
        self.keys = keys
        self.httpClient = httpClient
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// The status value (0 VALID, 1 INVALID, 2 SUSPENDED, …) of `reference`'s entry.
    public func status(of reference: StatusListReference) async throws(HeraldTokenVerificationError) -> UInt8 {
        let list = try await list(at: reference.uri)
        guard reference.index < list.count else {
            throw HeraldTokenVerificationError(.statusUnavailable,
                "status index \(reference.index) is beyond the list at \(reference.uri) (\(list.count) entries)")
        }
        return list[reference.index]
    }

    private func list(at uri: String) async throws(HeraldTokenVerificationError) -> StatusList {
        guard uri.hasPrefix(issuer + "/") else {
            throw HeraldTokenVerificationError(.statusUnavailable,
                "the token's status list \(uri) is not under the issuer \(issuer); it is not fetched")
        }
        let now = clock.now()
        enum Plan { case fresh(StatusList), wait(Fetch) }
        let plan: Plan = entries.withLock { entries in
            if let loaded = entries[uri]?.loaded, now < loaded.refreshAt { return .fresh(loaded.list) }
            if let running = entries[uri]?.inFlight { return .wait(running) }
            if entries[uri] == nil, entries.count >= configuration.maximumLists,
               let victim = entries.first(where: { $0.value.inFlight == nil })?.key {
                entries[victim] = nil
            }
            let task = Fetch { [self] in
                let result = await download(uri)
                self.entries.withLock { entries in
                    entries[uri]?.inFlight = nil
                    if case .success(let loaded) = result { entries[uri]?.loaded = loaded }
                }
                return result
            }
            entries[uri, default: Entry()].inFlight = task
            return .wait(task)
        }
        let fetch: Fetch
        switch plan {
        case .fresh(let list): return list
        case .wait(let running): fetch = running
        }
        switch await fetch.value {
        case .success(let loaded): return loaded.list
        case .failure(let error):
            let stale = entries.withLock { $0[uri]?.loaded }
            if let stale, let expiresAt = stale.expiresAt, clock.now() < expiresAt {
                logger.warning("status list refresh failed; using the cached list until its exp",
                               metadata: ["statuslist.uri": "\(uri)", "error": "\(error.reason)"])
                return stale.list
            }
            throw error
        }
    }

    private func download(_ uri: String) async -> Result<Loaded, HeraldTokenVerificationError> {
        func unavailable(_ reason: String) -> Result<Loaded, HeraldTokenVerificationError> {
            .failure(HeraldTokenVerificationError(.statusUnavailable, reason))
        }
        var request = HTTPClientRequest(url: uri)
        request.headers.add(name: "Accept", value: "application/statuslist+jwt")
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.seconds * 1e9))
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, deadline: deadline, logger: logger)
            guard response.status == .ok else {
                return unavailable("the status list at \(uri) answered HTTP \(response.status.code); expected 200")
            }
            body = try await response.body.collect(upTo: configuration.maximumResponseBytes)
        } catch is NIOTooManyBytesError {
            return unavailable("the status list at \(uri) is larger than \(configuration.maximumResponseBytes) bytes")
        } catch {
            return unavailable("the status list at \(uri) could not be fetched (\(error))")
        }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        let unverified: UnverifiedJWS
        do { unverified = try UnverifiedJWS(compact: text) } catch {
            return unavailable("the status list at \(uri) is not a compact JWS")
        }
        guard unverified.header.typ?.lowercased() == StatusListClaims.type else {
            return unavailable("the status list at \(uri) has typ \(unverified.header.typ ?? "(none)"), expected \(StatusListClaims.type)")
        }
        let key: PublicJWK
        do { key = try await keys.key(for: unverified.header.kid) } catch {
            return unavailable("the status list at \(uri) cannot be checked: \(error.reason)")
        }
        let claims: StatusListClaims
        do { claims = try StatusListClaims(payload: try unverified.verify(with: [key]).payload) } catch {
            return unavailable("the status list at \(uri) does not verify with the issuer's key or is malformed: "
                               + ((error as? JOSEError)?.reason ?? "\(error)"))
        }
        guard claims.subject == uri else {
            return unavailable("the status list at \(uri) names itself \(claims.subject) (sub must equal the token's uri)")
        }
        if let listIssuer = claims.issuer, listIssuer != issuer {
            return unavailable("the status list at \(uri) was issued by \(listIssuer), expected \(issuer)")
        }
        let now = clock.now()
        let expiresAt = claims.expiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        if let expiresAt, expiresAt <= now {
            return unavailable("the status list at \(uri) expired at \(expiresAt)")
        }
        var refreshAt = now + configuration.timeToLive(claims.timeToLive)
        if let expiresAt { refreshAt = min(refreshAt, expiresAt) }
        return .success(Loaded(list: claims.list, refreshAt: refreshAt, expiresAt: expiresAt))
    }
}
