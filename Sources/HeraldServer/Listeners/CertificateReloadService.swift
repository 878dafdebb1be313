import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the listeners' certificates on SIGHUP (every file re-read) and whenever a
/// certificate or key file changes (checked every `interval`), without touching the
/// servers: handshakes read the store, so new connections get the new pair. Without TLS
/// it still traps SIGHUP, which would otherwise end the process.
struct CertificateReloadService: Service {
    let stores: [CertificateStore]
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let stores = stores, interval = interval, logger = logger
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups {
                        guard !stores.isEmpty else {
                            logger.notice("SIGHUP: no TLS certificate to reload (no --tls-cert); nothing else reloads")
                            continue
                        }
                        logger.notice("SIGHUP: reloading the TLS certificates")
                        for store in stores { _ = store.reload(force: true, logger: logger) }
                    }
                }
                guard !stores.isEmpty else { await group.waitForAll(); return }
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil {
                        for store in stores { _ = store.reload(force: false, logger: logger) }
                    }
                }
                await group.waitForAll()
            }
        }
    }
}
