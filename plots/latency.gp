# latency.gp -- the latency distribution of one operation, every
# allocator on one figure: the fraction of operations that completed
# within x simulated nanoseconds (the CDF), log x.
#
# In: DIR (results directory), ALLOCS (allocators, space-separated),
# OP ('alloc' or 'free'), CAPTION (scenario line), FORMAT, OUT, SHOWN
# (the allocators with an operation OP, in ALLOCS order).
# Data: DIR/latency-ALLOC.csv, columns allocator,op,latency_ns,count,
# cumulative_fraction; one row per histogram bucket (upper edge), so the
# curve is a staircase through the rows of OP.

load PLOTS.'/style.gp'
set title sprintf("%s latency: cumulative distribution\n%s", OP, CAPTION)
set xlabel 'latency (simulated ns, log scale)'
set ylabel 'fraction of operations completed within x'
set logscale x
set yrange [0:1.02]
set ytics 0.1
set key bottom right
plot for [a in SHOWN] DIR.'/latency-'.a.'.csv' skip 1 \
	using (strcol(2) eq OP ? $3 : NaN):5 with steps lt alloc_index(a) title a
