/*
 * types.h -- basic types shared by every slabsim module.
 *
 * Owns: the simulated time and address types and their unit constants.
 * Simulated time is an integer count of picoseconds; no floating point ever
 * enters the timing path.  A simulated address is a 64-bit number in the
 * modelled kernel's direct map; 0 is NULL.
 */
#ifndef SLABSIM_TYPES_H
#define SLABSIM_TYPES_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef uint64_t simtime_t;     /* picoseconds */
typedef uint64_t saddr_t;       /* simulated address, 0 = NULL */

#define PS_PER_NS   ((simtime_t)1000)
#define PS_PER_US   ((simtime_t)1000000)
#define PS_PER_MS   ((simtime_t)1000000000)
#define PS_PER_SEC  ((simtime_t)1000000000000)
#define SIMTIME_MAX UINT64_MAX

#define SLABSIM_VERSION "0.1.0"

#endif
