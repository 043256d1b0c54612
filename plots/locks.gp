# locks.gp -- lock contention per lock class, one bar per (allocator,
# class), bars coloured and grouped by allocator, in two panels:
#   top:    total time spent waiting for the class's locks (all CPUs);
#   bottom: the longest single wait.
# Both axes are logarithmic; a class nobody waited for has no bar.
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT; WAITERS (the allocators with a
# wait, in ALLOCS order), WAIT_MIN/MAX and LONGEST_MIN/MAX (the non-zero
# range of each panel, in ns).
# Data: DIR/locks.csv, columns allocator,class,acquisitions,contentions,
# wait_ns,max_wait_ns,hold_ns; rows grouped by allocator, in ALLOCS order.

HEIGHT = 720
load PLOTS.'/style.gp'
data = DIR.'/locks.csv'
# Row r of allocator a sits at r + alloc_index(a) - 1: a one-bar gap
# between allocators.  Each pass reads every row (for the class names on
# the x axis) and draws the bars of allocator i.
xpos = '($0 + alloc_index(strcol(1)) - 1)'
bar(i, col) = strcol(1) eq alloc(i) && column(col) > 0 ? column(col) : NaN
set multiplot layout 2,1 title sprintf("lock contention by lock class\n%s", CAPTION)
set style fill solid 0.85 border -1
set boxwidth 0.8
set logscale y
set format y "%g"
set mytics 10
set lmargin 12
set rmargin 3
set bmargin 7
set xrange [-0.7:*]
set grid noxtics ytics
set key inside top center horizontal samplen 1.5
# Room above the tallest bar for the key.
set offsets 0, 0, graph 0.18, 0

set title 'total wait, all CPUs'
set ylabel 'simulated µs (log scale)'
set xtics rotate by 30 right
set yrange [WAIT_MIN/1e3/2:WAIT_MAX/1e3*8]
plot for [w in WAITERS] data skip 1 using @xpos:(bar(alloc_index(w), 5)/1e3):xtic(2) \
	with boxes lt alloc_index(w) title w

set title 'longest single wait'
unset key
set ylabel 'simulated ns (log scale)'
set yrange [LONGEST_MIN/2:LONGEST_MAX*4]
plot for [w in WAITERS] data skip 1 using @xpos:(bar(alloc_index(w), 6)):xtic(2) \
	with boxes lt alloc_index(w) title w
unset multiplot
