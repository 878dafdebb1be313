import Synchronization

/// Runs async changes one after another, in the order they were submitted.
///
/// An actor alone does not serialise async work: while one change awaits the store, another
/// could start from the same state, and their in-memory effects could land in the opposite
/// order to their commits.
package final class ChangeQueue: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    package func run<T: Sendable>(_ change: @escaping @Sendable () async throws -> T) async throws -> T {
        let task: Task<T, any Error> = last.withLock { last in
            let previous = last
            // Unstructured tasks inherit task-local values (the admin actor among them).
            let task = Task { _ = await previous?.value; return try await change() }
            last = Task { _ = try? await task.value }
            return task
        }
        return try await task.value
    }
}
