// The system zlib (Debian zlib1g-dev), for status lists (RFC 1950 zlib streams).
#include <zlib.h>
