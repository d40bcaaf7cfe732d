#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
/* Debian installs libpq's header under /usr/include/postgresql. */
#include <postgresql/libpq-fe.h>
#endif
