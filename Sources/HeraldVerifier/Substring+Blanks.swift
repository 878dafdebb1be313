extension Substring {
    /// Without the spaces and tabs at either end (RFC 9110 OWS), trimmed on the UTF-8 bytes:
    /// Foundation's `trimmingCharacters(in:)` bridges the text to UTF-16 first, which for a
    /// ~1 KB passport or token cost more per request than its signature check.
    package var trimmingBlanks: Substring {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !Self.isBlank($0) }),
              let last = bytes.lastIndex(where: { !Self.isBlank($0) })
        else { return self[endIndex...] }
        return self[first...last]
    }

    /// A space or a horizontal tab.
    package static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
