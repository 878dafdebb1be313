import Foundation
import HeraldCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Herald backup file: an uncompressed POSIX ustar archive of `manifest.json`, then
/// `herald.sqlite`.
///
/// Plain tar, so `tar tf` lists it and any tool can take it apart. Reading accepts only
/// regular files with the names of ``BackupManifest``, each once, so a crafted archive can
/// neither write outside the restore directory nor smuggle in other files.
public enum BackupArchive {
    static let blockSize = 512
    /// ustar's 11 octal digits of size: 8 GiB − 1.
    static let maxMemberSize: Int64 = 0o77777777777
    /// A manifest is a few hundred bytes; more is not a Herald backup.
    static let maxManifestSize: Int64 = 1 << 20
    static let chunk = 1 << 20

    /// The members a backup may hold.
    public static let memberNames: Set<String> = [BackupManifest.fileName, BackupManifest.databaseFileName]

    /// Writes the files `members` (archive name, file path), in order, to `path` with mode
    /// 0600: to a temporary file beside it, synced, then moved into place, so no reader ever
    /// sees half an archive. An existing `path` is replaced only when `replace` is true.
    public static func write(_ members: [(name: String, path: String)], to path: String, replace: Bool) throws {
        if !replace, FileManager.default.fileExists(atPath: path) {
            throw HeraldError(.conflict, "\(path) exists; pass --force to replace it")
        }
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        let output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            for member in members { try append(member.name, from: member.path, to: output) }
            try output.write(contentsOf: Data(count: 2 * blockSize))
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            unlink(temporary)
            throw HeraldError(.storage, "writing the backup \(temporary): \(error)")
        }
        // link() refuses an existing target, so a file created meanwhile is never overwritten.
        let moved = replace ? rename(temporary, path) : link(temporary, path)
        let reason = String(cString: strerror(errno))
        if !replace || moved != 0 { unlink(temporary) }
        guard moved == 0 else {
            throw HeraldError(.storage, "cannot move the backup into place at \(path): \(reason)")
        }
        syncDirectory(of: path)
    }

    /// Extracts the archive at `path` into `directory` (which exists and holds none of the
    /// member names), each file mode 0600. Returns the names extracted, in archive order.
    /// Throws naming what is wrong when the file is not a Herald backup or is damaged.
    public static func extract(_ path: String, into directory: String) throws -> [String] {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw failure("cannot read the backup \(path)")
        }
        defer { try? input.close() }
        var names: [String] = []
        while true {
            let header = try input.read(upToCount: blockSize) ?? Data()
            guard header.count == blockSize else {
                throw HeraldError(.storage, names.isEmpty
                    ? "\(path) is not a Herald backup (not a tar archive)"
                    : "the backup \(path) is truncated after \(names.joined(separator: ", "))")
            }
            let bytes = [UInt8](header)
            if bytes.allSatisfy({ $0 == 0 }) { break }
            let (name, size) = try parseHeader(bytes, archive: path)
            guard memberNames.contains(name), !names.contains(name) else {
                throw HeraldError(.storage, "\(path) is not a Herald backup: unexpected member \(name)")
            }
            guard name != BackupManifest.fileName || size <= maxManifestSize else {
                throw HeraldError(.storage, "\(path) is not a Herald backup: its manifest has \(size) bytes")
            }
            try copy(size, of: name, from: input, to: (directory as NSString).appendingPathComponent(name), archive: path)
            names.append(name)
        }
        return names
    }

    // MARK: - Writing

    private static func append(_ name: String, from path: String, to output: FileHandle) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= maxMemberSize else {
            throw HeraldError(.storage, "\(path) has \(size) bytes; a backup member holds at most 8 GiB")
        }
        try output.write(contentsOf: header(name: name, size: size, modified: Int64(Date().timeIntervalSince1970)))
        guard let input = FileHandle(forReadingAtPath: path) else { throw failure("cannot read \(path)") }
        defer { try? input.close() }
        var copied: Int64 = 0
        while let data = try input.read(upToCount: chunk), !data.isEmpty {
            try output.write(contentsOf: data)
            copied += Int64(data.count)
        }
        // A file that changed size under us would make the header lie; the snapshot is ours alone.
        guard copied == size else { throw HeraldError(.storage, "\(path) changed size while it was archived") }
        let padding = Int((Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize))
        if padding > 0 { try output.write(contentsOf: Data(count: padding)) }
    }

    static func header(name: String, size: Int64, modified: Int64) -> Data {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) { block.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(Array(name.utf8.prefix(99)), at: 0)
        put(octal(0o600, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(modified, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)
        block[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let sum = block.reduce(0) { $0 + Int64($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return Data(block)
    }

    // MARK: - Reading

    private static func parseHeader(_ block: [UInt8], archive: String) throws -> (name: String, size: Int64) {
        let damaged = "the backup \(archive) is damaged (a tar header does not check)"
        guard let stored = octalValue(block[148..<156]) else { throw HeraldError(.storage, damaged) }
        var unsummed = block
        unsummed.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        guard unsummed.reduce(0, { $0 + Int64($1) }) == stored else { throw HeraldError(.storage, damaged) }
        guard Array(block[257..<262]) == Array("ustar".utf8) else {
            throw HeraldError(.storage, "\(archive) is not a Herald backup (not a ustar archive)")
        }
        let name = cString(block[0..<100])
        let prefix = cString(block[345..<500])
        let fullName = prefix.isEmpty ? name : prefix + "/" + name
        guard block[156] == UInt8(ascii: "0") || block[156] == 0 else {
            throw HeraldError(.storage, "\(archive) is not a Herald backup: \(fullName) is not a regular file")
        }
        guard let size = octalValue(block[124..<136]), size >= 0 else { throw HeraldError(.storage, damaged) }
        return (fullName, size)
    }

    private static func copy(_ size: Int64, of name: String, from input: FileHandle, to target: String,
                             archive: String) throws {
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(target)") }
        let output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? output.close() }
        var remaining = size
        while remaining > 0 {
            let data = try input.read(upToCount: Int(min(Int64(chunk), remaining))) ?? Data()
            guard !data.isEmpty else {
                throw HeraldError(.storage, "the backup \(archive) is truncated: \(name) should have \(size) bytes")
            }
            try output.write(contentsOf: data)
            remaining -= Int64(data.count)
        }
        try output.synchronize()
        let padding = Int((Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize))
        if padding > 0, (try input.read(upToCount: padding) ?? Data()).count != padding {
            throw HeraldError(.storage, "the backup \(archive) is truncated after \(name)")
        }
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octalValue(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let text = cString(bytes).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : Int64(text, radix: 8)
    }

    private static func failure(_ what: String) -> HeraldError {
        HeraldError(.storage, "\(what): \(String(cString: strerror(errno)))")
    }

    /// Makes a rename durable: the directory entry itself is synced.
    static func syncDirectory(of path: String) {
        let descriptor = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
