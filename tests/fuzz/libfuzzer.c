/* libFuzzer's entry point for one harness, chosen at compile time with
 * -DFUZZ_HARNESS=fuzz_NAME. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FUZZ_HARNESS(data, size);
}
