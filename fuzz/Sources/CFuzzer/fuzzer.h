// libFuzzer's driver entry (in the toolchain's libclang_rt.fuzzer, linked by -sanitize=fuzzer).
// SwiftPM names an executable's entry point <Module>_main, so the fuzz binary starts libFuzzer
// from there instead of relying on libFuzzer's own main.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
