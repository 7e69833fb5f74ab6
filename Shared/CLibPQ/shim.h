// libpq as seen from Swift. Everything libpq exports is callable directly; nothing to shim yet.
#include <libpq-fe.h>
