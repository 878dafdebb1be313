/// A refused command line or store: printed, exit status 1.
struct SeedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
