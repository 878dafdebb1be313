import CLibFuzzer
import Foundation
import HeraldFuzzHarness

/// The target this process fuzzes, from `HERALD_FUZZ_TARGET` (scripts/fuzz.sh sets it;
/// libFuzzer's `-merge` children inherit it). One binary serves every target: one
/// instrumented link instead of ten.
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["HERALD_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set HERALD_FUZZ_TARGET to one of: \(names) (or describe)\n".utf8))
        exit(2)
    }
    return target
}()

/// Called by libFuzzer once before the first input. `HERALD_FUZZ_TARGET=describe` prints
/// each target's name and summary (tab-separated, for the results file) and exits;
/// otherwise an unknown target stops the run here rather than at the first input.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>>>) -> CInt {
    if ProcessInfo.processInfo.environment["HERALD_FUZZ_TARGET"] == "describe" {
        for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
        exit(0)
    }
    _ = selectedTarget
    return 0
}

/// libFuzzer's entry point: one input, any bytes. A broken property traps, so libFuzzer
/// saves the input as a finding like any crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do { try selectedTarget.consume(bytes) } catch {
        fatalError("property broken: \(error)")
    }
    return 0
}

/// The process entry point. SwiftPM links an executable with its `main` renamed to
/// `<module>_main` (`--defsym main=herald_fuzz_main`), which keeps libFuzzer's own `main`
/// out of the link; so this one hands the command line to libFuzzer's driver.
@_cdecl("herald_fuzz_main")
public func heraldFuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
