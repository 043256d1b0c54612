# model-check.gp -- `slabsim check-model`: the model's prediction against
# the native measurement on this host, one point per allocator and figure.
#   left:  latencies (alloc and free mean, p50, p99), ns, log-log;
#   right: throughput, operations per second, log-log.
# The diagonal is a perfect prediction; the dashed lines are a factor of 2
# either way.  A point's vertical bar is the native runs' min..max.
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT; LATMIN, LATMAX, OPSMIN, OPSMAX
# (the range of the values, predicted and measured).
# Data: DIR/model-check.csv, columns allocator,figure,predicted,measured,
# measured_min,measured_max (figure throughput_ops_per_sec or *_ns).

HEIGHT = 460
load PLOTS.'/style.gp'
file = DIR.'/model-check.csv'
is_ops(s) = s eq 'throughput_ops_per_sec'

set multiplot layout 1,2 title sprintf("model check: predicted (simulated on the host profile) vs measured (native, median)\n%s", CAPTION)
set logscale xy
set size square
set key top left opaque box
set xlabel 'predicted'
set ylabel 'measured'
set samples 2

set title 'latency (ns): alloc, free mean, p50, p99'
set xrange [LATMIN / 2:LATMAX * 2]
set yrange [LATMIN / 2:LATMAX * 2]
plot x lc rgb '#888888' lw 1 notitle, 2 * x lc rgb '#bbbbbb' dt 2 notitle, x / 2 lc rgb '#bbbbbb' dt 2 notitle, \
     for [i=1:words(ALLOCS)] file skip 1 \
	using (strcol(1) eq word(ALLOCS, i) && !is_ops(strcol(2)) ? $3 : NaN):4:5:6 \
	with yerrorbars lt i title word(ALLOCS, i)

unset key
set title 'throughput (ops/s)'
set xrange [OPSMIN / 2:OPSMAX * 2]
set yrange [OPSMIN / 2:OPSMAX * 2]
plot x lc rgb '#888888' lw 1 notitle, 2 * x lc rgb '#bbbbbb' dt 2 notitle, x / 2 lc rgb '#bbbbbb' dt 2 notitle, \
     for [i=1:words(ALLOCS)] file skip 1 \
	using (strcol(1) eq word(ALLOCS, i) && is_ops(strcol(2)) ? $3 : NaN):4:5:6 \
	with yerrorbars lt i notitle
unset multiplot
