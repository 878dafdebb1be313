import Foundation
import HeraldFuzzHarness
import Testing

/// Replays the committed fuzz corpus (`Fuzz/corpus/<target>/`) and every input that once
/// broke a parser (`Fuzz/crashes/<target>/`) through the same functions the libFuzzer
/// drivers call, then a seeded random-mutation loop over the corpus: `make test` keeps
/// found crashes fixed without needing libFuzzer.
@Suite("Fuzz corpus replay")
struct FuzzCorpusReplayTests {
    /// How many mutated inputs each target gets per run (seeded: the same ones every run).
    static let mutationsPerTarget = 1500

    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<kind>/<target>/`, sorted, as bytes; empty when there is none.
    static func inputs(_ kind: String, _ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return try names.sorted().filter { !$0.hasPrefix(".") }.map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test("every corpus and crash directory belongs to a target, and every target has a seed corpus")
    func corpusLayout() throws {
        let directories = try FileManager.default.contentsOfDirectory(
            atPath: Self.fuzzDirectory.appendingPathComponent("corpus").path)
        #expect(Set(directories) == Set(FuzzTarget.all.map(\.name)))
        let crashes = (try? FileManager.default.contentsOfDirectory(
            atPath: Self.fuzzDirectory.appendingPathComponent("crashes").path)) ?? []
        #expect(Set(crashes).isSubset(of: Set(FuzzTarget.all.map(\.name))), "Fuzz/crashes/\(crashes) names no target")
        for target in FuzzTarget.all {
            #expect(try !Self.inputs("corpus", target.name).isEmpty, "no seed corpus for \(target.name)")
        }
    }

    @Test("the corpus and the crash regressions keep every property", arguments: FuzzTarget.all.map(\.name))
    func replay(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for kind in ["corpus", "crashes"] {
            for input in try Self.inputs(kind, name) {
                do { try target.consume(input.bytes) } catch {
                    Issue.record("Fuzz/\(kind)/\(name)/\(input.name): \(error.detail)")
                }
            }
        }
    }

    @Test("seeded random mutations of the corpus keep every property", arguments: FuzzTarget.all.map(\.name))
    func mutations(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = try Self.inputs("corpus", name).map(\.bytes) + Self.inputs("crashes", name).map(\.bytes)
        try #require(!seeds.isEmpty)
        var mutator = FuzzMutator(seed: FuzzMutator.seed(for: name))
        for iteration in 0..<Self.mutationsPerTarget {
            let input = mutator.mutate(seeds[mutator.below(seeds.count)], splicing: seeds[mutator.below(seeds.count)])
            do { try target.consume(input) } catch {
                let input = Data(input).base64EncodedString()
                Issue.record("mutation \(iteration) of \(name): \(error.detail) — input (base64) \(input)")
                return
            }
        }
    }
}
