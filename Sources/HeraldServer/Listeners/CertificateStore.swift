import Foundation
import HeraldCore
import Logging
import NIOSSL
import Synchronization

/// The certificate one TLS listener presents. Every handshake takes the current pair, so a
/// reload reaches new connections at once and leaves open ones alone; a replacement that
/// fails its checks is logged and the last good pair stays.
final class CertificateStore: Sendable {
    /// What a reload did.
    enum Outcome: Equatable, Sendable {
        case unchanged
        case reloaded(serial: String)
        case refused(String)
    }

    let files: TLSFiles
    /// Which listener, for the log (`public`, `admin`).
    let listener: String
    private struct State {
        var pair: CertificatePair
        /// The files as last read, good or bad, so a bad file is reported once, not every poll.
        var stamp: FileStamp
    }
    private let state: Mutex<State>

    /// Loads the pair or throws the startup error that names what to fix.
    init(files: TLSFiles, listener: String) throws {
        let stamp = FileStamp(files: files)
        self.files = files
        self.listener = listener
        state = Mutex(State(pair: try CertificatePair(files: files), stamp: stamp))
    }

    var pair: CertificatePair { state.withLock { $0.pair } }

    /// Logs the pair in use, and a warning when it expires within `warning` (renewal failing
    /// silently is how certificates expire in production).
    func logCurrent(logger: Logger, now: Date = Date(), warning: TimeInterval = 14 * 86_400) {
        let pair = pair
        let metadata: Logger.Metadata = [
            "listener": "\(listener)", "certificate": "\(files.certificate)", "serial": "\(pair.serial)",
            "not_after": "\(CertificatePair.format(pair.notValidAfter))",
        ]
        let left = pair.notValidAfter.timeIntervalSince(now)
        if left < warning {
            logger.warning("TLS certificate expires in \(Int(left / 3600)) h; renew it (herald reloads the files when they change)",
                           metadata: metadata)
        } else {
            logger.info("TLS certificate loaded", metadata: metadata)
        }
    }

    /// Re-reads the files; unless `force`, only when their size, inode or mtime changed.
    func reload(force: Bool, logger: Logger) -> Outcome {
        let stamp = FileStamp(files: files)
        let changed = state.withLock { state -> Bool in
            guard force || state.stamp != stamp else { return false }
            state.stamp = stamp
            return true
        }
        guard changed else { return .unchanged }
        do {
            let pair = try CertificatePair(files: files)
            let previous = state.withLock { state -> String in
                defer { state.pair = pair }
                return state.pair.serial
            }
            logger.notice("TLS certificate reloaded; new connections present it", metadata: [
                "listener": "\(listener)", "certificate": "\(files.certificate)", "serial": "\(pair.serial)",
                "previous_serial": "\(previous)", "not_after": "\(CertificatePair.format(pair.notValidAfter))",
            ])
            logCurrent(logger: logger)
            return .reloaded(serial: pair.serial)
        } catch {
            let message = (error as? HeraldError)?.message ?? "\(error)"
            logger.error("TLS certificate NOT reloaded; still presenting the previous one", metadata: [
                "listener": "\(listener)", "serial": "\(self.pair.serial)", "error": "\(message)",
            ])
            return .refused(message)
        }
    }
}

/// Size, inode and modification time of the certificate and key files: enough to notice
/// an edit, a copy over, or the rename an ACME client or a Kubernetes secret mount makes.
struct FileStamp: Equatable, Sendable {
    private let parts: [String]

    init(files: TLSFiles) {
        parts = [files.certificate, files.key].map { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(attributes[.size] ?? 0)/\(attributes[.systemFileNumber] ?? 0)/\(modified)"
        }
    }
}
