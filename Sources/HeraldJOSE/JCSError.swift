extension JOSEError.Code {
    /// Text that is not JSON, or JSON outside the JCS subset Herald signs (floats, integers
    /// beyond 2^53, duplicate member names).
    public static let notCanonicalizable = JOSEError.Code("not_canonicalizable")
}
