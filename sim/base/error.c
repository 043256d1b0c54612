/*
 * error.c -- slabsim's GError domain (see error.h).
 */
#include "error.h"

G_DEFINE_QUARK(slabsim-error-quark, slabsim_error)
