// The parts of OpenLDAP's C API (libldap, liblber; Debian `libldap2-dev`) that Herald's
// LDAP directory uses. Macros Swift cannot import are re-exported as functions here.
#ifndef HERALD_CLDAP_SHIM_H
#define HERALD_CLDAP_SHIM_H

#define LDAP_DEPRECATED 0
#include <lber.h>
#include <ldap.h>

/// `LDAP_OPT_ON` / `LDAP_OPT_OFF` are pointer-valued macros; Swift cannot import them.
static inline void *herald_ldap_opt_on(void) { return LDAP_OPT_ON; }
static inline void *herald_ldap_opt_off(void) { return LDAP_OPT_OFF; }

#endif
