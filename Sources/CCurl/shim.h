#ifndef INLET_CCURL_SHIM_H
#define INLET_CCURL_SHIM_H
#include <curl/curl.h>
#endif
