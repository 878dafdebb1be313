import Foundation

extension RemoteStatusListCache {
    /// How a ``RemoteStatusListCache`` caches and fetches.
    public struct Configuration: Sendable {
        /// How long a list is used when its token has no `ttl`.
        public var defaultTimeToLive: Duration
        /// The shortest `ttl` honoured (a list re-fetched per token would tie the relying
        /// party's throughput to the issuer's).
        public var minimumTimeToLive: Duration
        /// The longest `ttl` honoured, so a revocation is seen in bounded time whatever the
        /// issuer says.
        public var maximumTimeToLive: Duration
        /// The deadline of one fetch, connection to last body byte.
        public var timeout: Duration
        /// The largest status list token read.
        public var maximumResponseBytes: Int
        /// The most distinct list URIs kept (each verified token names one; Herald uses one
        /// per realm).
        public var maximumLists: Int

        /// A configuration; the defaults suit Herald's 30 s `ttl`.
        public init(defaultTimeToLive: Duration = .seconds(60), minimumTimeToLive: Duration = .seconds(1),
                    maximumTimeToLive: Duration = .seconds(300), timeout: Duration = .seconds(5),
                    maximumResponseBytes: Int = 4 << 20, maximumLists: Int = 64) {
            self.defaultTimeToLive = defaultTimeToLive
            self.minimumTimeToLive = minimumTimeToLive
            self.maximumTimeToLive = maximumTimeToLive
            self.timeout = timeout
            self.maximumResponseBytes = maximumResponseBytes
            self.maximumLists = maximumLists
        }

        func timeToLive(_ ttl: Int?) -> TimeInterval {
            let minimum = minimumTimeToLive.seconds, maximum = max(minimum, maximumTimeToLive.seconds)
            return min(max(ttl.map(TimeInterval.init) ?? defaultTimeToLive.seconds, minimum), maximum)
        }
    }
}
