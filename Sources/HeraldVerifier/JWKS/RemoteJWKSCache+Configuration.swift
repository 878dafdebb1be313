import Foundation

extension RemoteJWKSCache {
    /// How a ``RemoteJWKSCache`` caches and fetches. Every bound has a default a relying party
    /// can keep.
    public struct Configuration: Sendable {
        /// Lifetime of a fetched set when the response has no `Cache-Control: max-age`.
        public var defaultMaxAge: Duration
        /// The shortest lifetime honoured: `max-age=0` or `no-cache` from the JWKS endpoint
        /// would otherwise mean one fetch per token.
        public var minimumMaxAge: Duration
        /// The longest lifetime honoured, so a key the issuer removes is dropped in bounded time.
        public var maximumMaxAge: Duration
        /// A token naming a `kid` the cached set lacks triggers a re-fetch (the issuer may have
        /// rotated), at most once per this interval; inside it, such a token is refused at
        /// once with `unknownKey`, so made-up kids cannot make the cache hammer the endpoint.
        public var unknownKeyRefetchInterval: Duration
        /// Whether any fetch (the first, an expiry refresh) starts the
        /// ``unknownKeyRefetchInterval``, as a fetch that just happened would return the same
        /// set (the default); when false only re-fetches for an unknown kid do, so a token
        /// naming a key rotated in right after a routine fetch still gets one re-fetch.
        public var unknownKeyRefetchCountsEveryFetch: Bool
        /// After a failed fetch, lookups inside this interval reuse the failure (or the stale
        /// set) instead of fetching again, so a down endpoint sees at most one attempt per
        /// interval; the first lookup after it tries again.
        public var failureBackoff: Duration
        /// How long past its lifetime a set may still serve a known `kid` while the endpoint
        /// is failing.
        public var maximumStaleness: Duration
        /// The deadline of one fetch, connection to last body byte.
        public var timeout: Duration
        /// The largest JWKS body read; a larger one fails with `tooLarge`.
        public var maximumResponseBytes: Int
        /// Read RSA (RS256) keys as well, for ``RemoteJWKSCache/thirdPartyKey(for:)``: an issuer
        /// verifying an upstream IdP's tokens sets it. Off, the set must hold an EC P-256 or
        /// Ed25519 key, which is all ``RemoteJWKSCache/key(for:)`` ever returns.
        public var acceptsRSAKeys: Bool

        /// A configuration; the defaults suit a JWKS rotated with the usual overlap.
        public init(defaultMaxAge: Duration = .seconds(300), minimumMaxAge: Duration = .seconds(30),
                    maximumMaxAge: Duration = .seconds(86_400), unknownKeyRefetchInterval: Duration = .seconds(10),
                    failureBackoff: Duration = .seconds(1), maximumStaleness: Duration = .seconds(86_400),
                    timeout: Duration = .seconds(5), maximumResponseBytes: Int = 256 * 1024,
                    acceptsRSAKeys: Bool = false, unknownKeyRefetchCountsEveryFetch: Bool = true) {
            self.defaultMaxAge = defaultMaxAge
            self.minimumMaxAge = minimumMaxAge
            self.maximumMaxAge = maximumMaxAge
            self.unknownKeyRefetchInterval = unknownKeyRefetchInterval
            self.failureBackoff = failureBackoff
            self.maximumStaleness = maximumStaleness
            self.timeout = timeout
            self.maximumResponseBytes = maximumResponseBytes
            self.acceptsRSAKeys = acceptsRSAKeys
            self.unknownKeyRefetchCountsEveryFetch = unknownKeyRefetchCountsEveryFetch
        }

        /// The lifetime to give a set served with `Cache-Control: cacheControl`.
        func lifetime(cacheControl: String?) -> TimeInterval {
            let minimum = minimumMaxAge.seconds, maximum = max(minimum, maximumMaxAge.seconds)
            guard let maxAge = CacheControl.maxAge(cacheControl) else { return min(max(defaultMaxAge.seconds, minimum), maximum) }
            return min(max(TimeInterval(maxAge), minimum), maximum)
        }
    }
}

extension Duration {
    /// The duration in seconds, as `Date` arithmetic wants it.
    var seconds: TimeInterval {
        let (whole, fraction) = components
        return TimeInterval(whole) + TimeInterval(fraction) / 1e18
    }
}
