import Foundation

/// Where access log lines go: standard output by default (the process's own log stays on
/// standard error), or a closure (tests).
public struct AccessLogWriter: Sendable {
    /// The format of every line.
    public let format: AccessLogFormat
    let sink: @Sendable (String) -> Void

    /// A writer of `format` lines to `sink` (each call is one whole line, newline included).
    public init(format: AccessLogFormat, sink: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.sink = sink
    }

    /// Lines of `format` on standard output, one `write(2)` per line so concurrent requests
    /// never interleave within a line.
    public static func standardOutput(_ format: AccessLogFormat) -> AccessLogWriter {
        AccessLogWriter(format: format) { line in
            var line = line
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 {
                        if written < 0, errno == EINTR { continue }
                        return  // a closed or full stdout must not fail the request
                    }
                    offset += written
                }
            }
        }
    }

    func write(_ entry: AccessLogEntry) {
        guard let line = entry.line(format) else { return }
        sink(line)
    }
}
