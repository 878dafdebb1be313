import Foundation
import HeraldCore
import Testing

extension SharedStateConformance {
    /// Every answer is at least the floor and greater than every answer before, whichever
    /// replica asks; a floor below the last answer does not take the sequence back.
    public static func sequenceIncreases(_ make: (Int) async throws -> [any FederationSequence]) async throws {
        let sequences = try await make(2)
        try #require(sequences.count == 2)
        let first = try await sequences[0].next(realm: "acme", atLeast: 1_000)
        #expect(first >= 1_000)
        let second = try await sequences[1].next(realm: "acme", atLeast: 1_000)
        #expect(second > first, "another replica's next bundle must have a greater sequence")
        let jumped = try await sequences[0].next(realm: "acme", atLeast: second + 5_000)
        #expect(jumped >= second + 5_000)
        let afterJump = try await sequences[1].next(realm: "acme", atLeast: 0)
        #expect(afterJump > jumped, "a floor below the last sequence (a clock set back) never takes it back")
        let other = try await sequences[1].next(realm: "beta", atLeast: 7)
        #expect(other >= 7)
        #expect(try await sequences[0].next(realm: "acme", atLeast: 0) > afterJump)
    }

    /// Concurrent calls on several replicas get distinct values, each caller's strictly
    /// increasing, and a call after them all gets more than any of them.
    public static func sequenceConcurrent(_ make: (Int) async throws -> [any FederationSequence]) async throws {
        let sequences = try await make(3)
        try #require(sequences.count == 3)
        let callers = 12, calls = 25
        let runs = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for caller in 0..<callers {
                let sequence = sequences[caller % sequences.count]
                group.addTask {
                    var got: [Int64] = []
                    for _ in 0..<calls { got.append(try await sequence.next(realm: "acme", atLeast: 1_000)) }
                    return got
                }
            }
            var runs: [[Int64]] = []
            for try await run in group { runs.append(run) }
            return runs
        }
        let all = runs.flatMap { $0 }
        #expect(all.count == callers * calls)
        #expect(Set(all).count == all.count, "no two bundles may share a sequence")
        for run in runs { #expect(zip(run, run.dropFirst()).allSatisfy { $0 < $1 }, "one caller's sequences go up") }
        let after = try await sequences[0].next(realm: "acme", atLeast: 0)
        #expect(after > (all.max() ?? .max))
    }
}
