import ArgumentParser

/// `herald completion SHELL`: the shell completion script (as `--generate-completion-script`).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion", abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            bash: herald completion bash > /etc/bash_completion.d/herald
            zsh:  herald completion zsh > "${fpath[1]}/_herald"
            fish: herald completion fish > ~/.config/fish/completions/herald.fish
            """)

    @Argument(help: "bash, zsh or fish.") var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("shell must be one of \(CompletionShell.allCases.map(\.rawValue).joined(separator: ", ")), not \(shell)")
        }
    }

    func run() throws {
        guard let shell = CompletionShell(rawValue: shell) else { return }
        Console.write(HeraldCommand.completionScript(for: shell))
    }
}
