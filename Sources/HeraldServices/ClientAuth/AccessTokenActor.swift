import Foundation

/// One party of an access token's `act` chain (RFC 8693 §4.1): who acts, and the actor it
/// acts for in turn. Read leniently: a member of another type is absent, so a peer's odd
/// `act` does not make its token unreadable (the chain is used to refuse, never to grant).
package final class AccessTokenActor: Decodable, Sendable {
    package let sub: String?
    package let act: AccessTokenActor?

    private enum Key: String, CodingKey { case sub, act }

    package init(sub: String?, act: AccessTokenActor?) {
        self.sub = sub
        self.act = act
    }

    package init(from decoder: any Decoder) throws {
        let container = try? decoder.container(keyedBy: Key.self)
        sub = try? container?.decodeIfPresent(String.self, forKey: .sub)
        act = try? container?.decodeIfPresent(AccessTokenActor.self, forKey: .act)
    }

    /// The chain's subjects, the current actor first.
    package var chain: [String] {
        var subjects: [String] = []
        var next: AccessTokenActor? = self
        while let actor = next {
            if let sub = actor.sub { subjects.append(sub) }
            next = actor.act
        }
        return subjects
    }
}
