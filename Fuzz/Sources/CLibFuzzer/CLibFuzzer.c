// Header-only module: the declaration in include/CLibFuzzer.h is all there is.
#include "CLibFuzzer.h"
