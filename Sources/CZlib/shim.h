// zlib from the system (Debian zlib1g-dev): DEFLATE for HdrHistogram's compressed V2 encoding in
// latency.hlog. Only the one-shot compress2/uncompress calls are used, which Swift imports directly.
#ifndef LOADGATE_CZLIB_SHIM_H
#define LOADGATE_CZLIB_SHIM_H
#include <zlib.h>
#endif
