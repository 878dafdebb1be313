import Foundation

/// Writes files only their owner can read: a new file created with the mode, then renamed
/// over the target, so that no reader ever sees a partial file or a wider mode.
enum PrivateFile {
    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw WriteError(description: String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while offset < bytes.count {
                let count = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        let finished = written && fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        let reason = String(cString: strerror(errno))
        close(descriptor)
        guard finished, rename(temporary, path) == 0 else {
            let renameReason = finished ? String(cString: strerror(errno)) : reason
            unlink(temporary)
            throw WriteError(description: renameReason)
        }
    }
}
