/*
 * plot.h -- plots of a results or sweep directory, rendered by gnuplot.
 *
 * Owns: finding gnuplot, the data files the plots need beyond the
 * results' own CSVs (DIR/plots/NAME.csv), and running the scripts of
 * $SLABSIM_ROOT/plots/ into DIR/plots/NAME.png and NAME.svg.  See
 * docs/plots.md.
 */
#ifndef SLABSIM_PLOT_H
#define SLABSIM_PLOT_H

#include <stdbool.h>
#include <glib.h>

/* The gnuplot found on PATH (free it), or NULL if there is none. */
char *plot_find_gnuplot(void);

/*
 * Render every plot of `dir`: a results directory (it has results.json)
 * or a sweep directory (it has sweep-summary.csv).  `quiet`: no notes
 * about plots left out.  `root` is the repository root
 * holding plots/NAME.gp.  False with *err set (naming the script and quoting
 * gnuplot's messages) if gnuplot is missing, `dir` is neither kind of
 * directory, or a plot fails; plots rendered before a failure stay.
 */
bool plot_dir(const char *root, const char *dir, bool quiet, GError **err);

#endif
