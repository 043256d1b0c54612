/*
 * error.h -- slabsim's GError domain and its codes.
 *
 * Owns: the error domain every layer reports input and script errors in.
 * An error's code doubles as the process exit status the command line
 * gives it.
 */
#ifndef SLABSIM_ERROR_H
#define SLABSIM_ERROR_H

#include <glib.h>

#define SLABSIM_ERROR slabsim_error_quark()
GQuark slabsim_error_quark(void);

/* Error codes double as exit statuses. */
enum { SLABSIM_ERROR_INPUT = 1, SLABSIM_ERROR_SCRIPT = 2 };

#endif
