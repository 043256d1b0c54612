# latency-tail.gp -- the tail of one operation's latency distribution,
# every allocator on one figure: the fraction of operations slower than x
# simulated nanoseconds (1 - CDF), log-log.  p99 is where a curve crosses
# 0.01, p99.9 where it crosses 0.001.
#
# In: DIR, ALLOCS, OP, CAPTION, FORMAT, OUT (as latency.gp); TAILED (the
# allocators with a tail to draw, in ALLOCS order).
# Data: DIR/latency-ALLOC.csv; the slowest bucket (1 - CDF = 0) has no
# place on a log axis and is not drawn.

load PLOTS.'/style.gp'
set title sprintf("%s latency: tail (fraction of operations slower than x)\n%s", OP, CAPTION)
set xlabel 'latency (simulated ns, log scale)'
set ylabel 'fraction of operations slower than x (log scale)'
set logscale xy
set format y '1e%T'
set yrange [*:1]
set key top right
set arrow 1 from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 3 lc rgb '#888888' back
set arrow 2 from graph 0, first 0.001 to graph 1, first 0.001 nohead dt 3 lc rgb '#888888' back
set label 1 'p99' at graph 0.01, first 0.012 tc rgb '#666666'
set label 2 'p99.9' at graph 0.01, first 0.0012 tc rgb '#666666'
tail(f) = f < 1 ? 1 - f : NaN
plot for [a in TAILED] DIR.'/latency-'.a.'.csv' skip 1 \
	using (strcol(2) eq OP ? $3 : NaN):(tail($5)) with steps lt alloc_index(a) title a
