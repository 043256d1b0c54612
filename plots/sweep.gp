# sweep.gp -- one metric of a parameter sweep against the varied
# parameter, one line per allocator.  The axes are logarithmic where the
# data allow it: x when every parameter value is a positive number, y when
# every plotted value is positive; otherwise linear (and categorical x for
# non-numeric parameter values, in sweep order).
#
# In: DIR (the sweep directory), ALLOCS, PARAM (the varied key), METRIC,
# YLABEL (the metric with its unit), NUMERIC, LOGX, LOGY (0 or 1), XMIN,
# XMAX (the parameter's range, when NUMERIC), YMIN, YMAX (the smallest and
# largest value plotted), NVALUES (parameter values), FORMAT, OUT.
# Data (written by `slabsim plot` from DIR/sweep.csv): DIR/plots/
# sweep-METRIC.csv, one row per parameter value in sweep order, columns
# param_value,ALLOC...

load PLOTS.'/style.gp'
data = DIR.'/plots/sweep-'.METRIC.'.csv'
set title sprintf("%s versus %s", METRIC, PARAM)
set xlabel PARAM.(LOGX ? ' (log scale)' : '')
set ylabel YLABEL.(LOGY ? ' (log scale)' : '')
if (LOGX) { set logscale x 2 }
bytes = strstrt(YLABEL, 'bytes') > 0
set format y (bytes ? '%.0s %cB' : (YMAX >= 1e4 ? '%.0s %c' : '%g'))
if (LOGY) {
	set logscale y
	set mytics 10
	# Labelled tics however narrow the range: powers of two for bytes
	# (binary prefixes), 1-2-3-5-7 per decade otherwise.
	if (bytes) {
		step = 2.0 ** ceil(log(YMAX / YMIN) / log(2) / 8)
		set ytics 2.0 ** floor(log(YMIN) / log(2)), step
		set format y '%.0b %BB'
		set mytics 2
	} else {
		if (YMAX / YMIN < 1000) {
			set ytics ()
			do for [e=floor(log10(YMIN)):ceil(log10(YMAX))] {
				set ytics add (10.0**e, 2 * 10.0**e, 3 * 10.0**e, 5 * 10.0**e, 7 * 10.0**e)
			}
		}
	}
}
set key outside right top
# The data's range plus a margin, not the next decades of a log axis.
set autoscale fix
set offsets graph 0.04, graph 0.04, graph 0.08, graph 0.08
# A range around a single parameter value or a constant metric.
around(v, log) = log ? v / 2 : v - (v == 0 ? 1 : abs(v) * 0.1)
above(v, log) = log ? v * 2 : v + (v == 0 ? 1 : abs(v) * 0.1)
if (!NUMERIC && NVALUES == 1) { set xrange [-1:1] }
if (NUMERIC && XMIN == XMAX) { set xrange [around(XMIN, LOGX):above(XMAX, LOGX)] }
if (YMIN == YMAX) { set yrange [around(YMIN, LOGY):above(YMAX, LOGY)] }
# A tic at every parameter value, labelled as given.
if (NUMERIC) {
	plot for [i=1:nallocs] data skip 1 using 1:i+1:xtic(1) with linespoints lt i title alloc(i)
} else {
	plot for [i=1:nallocs] data skip 1 using 0:i+1:xtic(1) with linespoints lt i title alloc(i)
}
