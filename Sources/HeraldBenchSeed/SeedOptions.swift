/// The command line of herald-bench-seed (see main.swift).
struct SeedOptions {
    var store = ""
    var realm = "acme"
    var agents = 0
    var passports: Int?
    var prefix = "bench-agent-"
    var concurrency = 16

    static func parse(_ arguments: [String]) throws(SeedError) -> SeedOptions {
        var options = SeedOptions()
        var it = arguments.makeIterator()
        while let flag = it.next() {
            guard let value = it.next() else { throw SeedError("\(flag) needs a value") }
            switch flag {
            case "--store": options.store = value
            case "--realm": options.realm = value
            case "--agents": options.agents = try count(flag, value)
            case "--passports": options.passports = try count(flag, value)
            case "--prefix": options.prefix = value
            case "--concurrency": options.concurrency = max(1, try count(flag, value))
            default: throw SeedError("unknown option \(flag) (--store --realm --agents --passports --prefix --concurrency)")
            }
        }
        guard !options.store.isEmpty, options.agents > 0 else {
            throw SeedError("usage: herald-bench-seed --store DATA/herald.sqlite --agents N [--realm acme] [--passports N]")
        }
        return options
    }

    private static func count(_ flag: String, _ value: String) throws(SeedError) -> Int {
        guard let n = Int(value), n >= 0 else { throw SeedError("\(flag) must be a whole number, got \(value)") }
        return n
    }
}
