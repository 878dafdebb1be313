import ArgumentParser

/// `herald audit tail`: the realm's latest audit entries.
struct AuditTailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tail", abstract: "The latest audit entries, oldest first.")

    @OptionGroup var options: AdminOptions
    @Option(name: .short, help: "How many entries.") var n: Int = 20

    func validate() throws {
        guard (1...10_000).contains(n) else { throw ValidationError("-n must be between 1 and 10000") }
    }

    func run() async throws {
        let session = try options.connect()
        let entries = try await Self.tail(n) { after, limit in
            let page = try await session.json(.GET, options.path("audit")
                + AdminClient.query([("after", String(after)), ("limit", String(limit))]))
            return page["entries"]?.array ?? []
        }
        options.emit(.object(["entries": .array(entries)])) { AuditTable.render($0["entries"]?.array ?? []) }
    }

    /// The last `count` entries, read through `page(after, limit)` (entries with sequence
    /// number above `after`, oldest first). The last sequence number is found by doubling
    /// and then halving with pages of one, so a long log costs a few dozen small requests.
    static func tail(_ count: Int, page: (Int64, Int) async throws -> [JSONValue]) async throws -> [JSONValue] {
        func exists(after: Int64) async throws -> Bool { try await !page(after, 1).isEmpty }
        guard try await exists(after: 0) else { return [] }
        var low: Int64 = 0  // an entry exists above low
        var high: Int64 = 1024
        while try await exists(after: high) {
            low = high
            high *= 2
        }
        while high - low > 1 {  // none above high
            let middle = low + (high - low) / 2
            if try await exists(after: middle) { low = middle } else { high = middle }
        }
        let last = high  // the entry above low and none above it: sequence number low + 1
        var entries: [JSONValue] = []
        var after = max(0, last - Int64(count))
        while entries.count < count {
            let batch = try await page(after, min(count - entries.count, 1000))
            guard let tail = batch.last?["seq"]?.int else { break }
            entries += batch
            after = tail
        }
        return Array(entries.suffix(count))
    }
}
