/*
 * hostprobe.h -- `slabsim machine --from-host`: a machine profile of the
 * host, read and measured.
 *
 * Owns: reading the host's topology (CPUs, sockets, nodes, SLIT distances)
 * and cache geometry (sysfs, else CPUID), the small native benchmarks that
 * measure the prices a profile needs (pointer chasing for the private
 * cache, the LLC and DRAM; a cache-line ping-pong between two CPUs; atomic
 * read-modify-writes), and writing a .machine file in which every number
 * says whether it was read or measured, on which host and when.  What the
 * host cannot show (a cross-node price on one node, the irq price from user
 * space) is left out with a comment saying why.
 */
#ifndef SLABSIM_HOSTPROBE_H
#define SLABSIM_HOSTPROBE_H

#include <stdbool.h>
#include <glib.h>

/* Probe the host and return the profile's text (g_free it); progress goes
 * to stderr.  `quick` measures once and briefly (tests: a valid profile,
 * rough figures).  NULL with *err if the host's CPUs cannot be read. */
char *hostprobe_profile(bool quick, GError **err);

#endif
