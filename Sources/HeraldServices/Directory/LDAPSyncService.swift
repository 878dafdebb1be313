import Foundation
import HeraldCore
import HeraldDirectory
import Logging
import ServiceLifecycle

/// Keeps every `mode: sync` LDAP directory's copy fresh: checks every `interval` and runs a
/// full sync for each directory whose copy is older than its `sync_period` (the first one
/// at once). A failed sync is logged by the directory; its previous copy keeps serving.
public struct LDAPSyncService: Service {
    package let directories: DirectoryProvider
    package let interval: Duration
    package let logger: Logger

    package init(directories: DirectoryProvider, interval: Duration, logger: Logger) {
        self.directories = directories
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            await tick()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }

    /// One pass over the sync-mode directories.
    public func tick() async {
        for (realm, directory) in directories.ldapDirectories
        where directory.settings.mode == .sync && directory.isSyncDue {
            do { try await directory.sync() } catch {
                logger.warning("LDAP sync failed; the previous copy keeps serving",
                               metadata: ["realm.id": "\(realm)", "error": "\(error)"])
            }
        }
    }
}
