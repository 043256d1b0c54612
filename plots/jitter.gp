# jitter.gp -- jitter over simulated time, every allocator on one figure,
# in two panels:
#   top:    the longest allocation (solid) and free (dashed) that ended in
#           each sample window (log scale);
#   bottom: housekeeping time (cache_reap, trim worker, flusher IPIs) all
#           CPUs ran in each window.
# A spike on top that lines up with one below is an operation delayed by
# the allocator's own periodic work (claims C6, C7, C9).
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT; SHOWN (the allocators with an
# operation in some window, in ALLOCS order).
# Data: DIR/jitter-ALLOC.csv, columns allocator,time_ns,max_alloc_ns,
# max_free_ns,housekeeping_ns; one row per sampling tick, covering the window that
# ends there.

HEIGHT = 720
load PLOTS.'/style.gp'
file(a) = DIR.'/jitter-'.a.'.csv'
pos(x) = x > 0 ? x : 1/0
set multiplot layout 2,1 title sprintf("jitter over time\n%s", CAPTION)
set xlabel 'simulated time (ms)'
set xrange [0:*]
set key top right
set lmargin 12
set rmargin 3

set ylabel 'simulated ns (log scale)'
set title 'longest allocation (solid) and free (dashed) per sample window'
set logscale y
set offsets 0, 0, graph 0.1, 0
plot for [a in SHOWN] file(a) skip 1 using ($2/1e6):(pos($3)) with steps lt alloc_index(a) title a, \
     for [a in SHOWN] file(a) skip 1 using ($2/1e6):(pos($4)) with steps lt alloc_index(a) dt 2 lw 1.5 notitle

unset logscale y
set ylabel 'simulated us'
# An explicit range: all zeros (SLUB, SLOB: no housekeeping) would leave
# autoscaling an empty range.
hkmax = 0
do for [a in SHOWN] {
	stats file(a) skip 1 using ($5/1e3) nooutput
	if (STATS_max > hkmax) { hkmax = STATS_max }
}
set yrange [0:(hkmax > 0 ? 1.1 * hkmax : 1)]
set title 'housekeeping run by all CPUs per sample window'
plot for [a in SHOWN] file(a) skip 1 using ($2/1e6):($5/1e3) with steps lt alloc_index(a) title a
unset multiplot
