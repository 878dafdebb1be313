import Foundation

/// The time source every time-dependent decision reads, so tests can fix it.
public protocol HeraldClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemClock: HeraldClock {
    public init() {}
    public func now() -> Date { Date() }
}
