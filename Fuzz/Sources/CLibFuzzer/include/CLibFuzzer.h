// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h), linked in by
// -sanitize=fuzzer. Declared here so the Swift driver can call it from its own `main`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
