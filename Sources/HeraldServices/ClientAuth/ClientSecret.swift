import HeraldJOSE

/// Client secrets Herald generates (admin client, created and rotated clients).
package enum ClientSecret {
    /// 256 random bits, base64url: far beyond guessing, so a fast keyed digest suffices (ADR 0004).
    package static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
