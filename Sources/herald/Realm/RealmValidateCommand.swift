import ArgumentParser
import HeraldAPI
import HeraldServer
import HeraldServices

/// `herald realm validate FILE…`: offline check of realm files against the contract.
struct RealmValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check realm files offline; print every problem with file, line and key.")

    @Argument(help: "Realm files (YAML or JSON).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let realm = try RealmImporter.loader.load(path: file)
                Console.write("\(file): realm \(realm.config.name) is valid (\(realm.config.clients.count) clients, "
                      + "\(realm.config.agents.count) agents)")
            } catch let error as RealmFileError {
                failed = true
                printError(error.description)
            }
        }
        if failed { throw ExitCode(1) }
    }
}
