# sweep.gp -- one metric of a parameter sweep against the first varied
# key, one line per series: an allocator (its colour) and, when several
# keys were varied, a combination of the other keys' values (its dash
# pattern).  With several seeds each point is the mean and its bar the
# standard deviation.  The axes are logarithmic where the data allow and
# span enough: x when every value is a positive number spanning a factor
# of 8, y when every plotted value is positive and they span a factor of
# 10; otherwise linear (and categorical x for non-numeric values, in
# sweep order).  Bytes have binary prefixes (KiB = 1024 B).
#
# In: DIR (the sweep directory), ALLOCS, CAPTION, PARAM (the first varied
# key), METRIC, YLABEL (the metric with its unit), NUMERIC, LOGX, LOGY,
# ERRORS (0 or 1), XMIN, XMAX (the key's range, when NUMERIC), YMIN, YMAX
# (the range plotted, bars included), NVALUES, NSERIES, SERIES_LT and
# SERIES_DT (per series: its allocator's line type, its dash type),
# FORMAT, OUT.
# Data (written by `slabsim plot` from DIR/sweep-summary.csv): DIR/plots/
# sweep-METRIC.csv, one row per value of PARAM in sweep order, columns
# PARAM, then per series its mean and its standard deviation ("sd").

load PLOTS.'/style.gp'
data = DIR.'/plots/sweep-'.METRIC.'.csv'
set title sprintf("%s versus %s\n%s", METRIC, PARAM, CAPTION)
set xlabel PARAM.(LOGX ? ' (log scale)' : '')
set ylabel YLABEL.(LOGY ? ' (log scale)' : '')
if (LOGX) { set logscale x 2 }
bytes = strstrt(YLABEL, 'bytes') > 0
set format y (YMAX >= 1e4 ? '%.0s %c' : '%g')
if (LOGY) {
	set logscale y
	set mytics 10
	# Labelled tics however narrow the range: powers of two for bytes
	# (binary prefixes), 1-2-3-5-7 per decade otherwise.
	if (bytes) {
		bt_lo = YMIN; bt_hi = YMAX
		@ByteTicsLog
		set mytics 2
	} else {
		if (YMAX / YMIN < 1000) {
			set ytics ()
			do for [e=floor(log10(YMIN)):ceil(log10(YMAX))] {
				set ytics add (10.0**e, 2 * 10.0**e, 3 * 10.0**e, 5 * 10.0**e, 7 * 10.0**e)
			}
		}
	}
} else {
	if (bytes && YMAX > 0) {
		bt_hi = YMAX * 1.1
		@ByteTicsLin
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
lt(i) = int(word(SERIES_LT, i))
dt(i) = int(word(SERIES_DT, i))
xcol(dummy) = NUMERIC ? column(1) : column(0)
# A tic at every parameter value, labelled as given.
if (ERRORS) {
	plot for [i=1:NSERIES] data using (xcol(0)):2*i:2*i+1:xtic(1) with yerrorlines \
		lt lt(i) dt dt(i) title columnhead(2*i)
} else {
	plot for [i=1:NSERIES] data using (xcol(0)):2*i:xtic(1) with linespoints \
		lt lt(i) dt dt(i) title columnhead(2*i)
}
