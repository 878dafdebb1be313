import Synchronization

extension SharedStateConformance {
    /// The first `count` elements of `stream`, or fewer when they do not come within `seconds`.
    static func collect<Element: Sendable>(_ count: Int, from stream: AsyncStream<Element>, within seconds: Int = 5)
        async -> [Element]
    {
        let got = Got<Element>()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await element in stream {
                    if got.append(element) >= count { return }
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            await group.next()
            group.cancelAll()
        }
        return got.elements
    }

    /// Elements collected by one task while another waits for them.
    final class Got<Element: Sendable>: Sendable {
        private let list = Mutex<[Element]>([])

        /// Appends `element`; the count after it.
        func append(_ element: Element) -> Int { list.withLock { $0.append(element); return $0.count } }

        var elements: [Element] { list.withLock { $0 } }
    }
}

