# breakdown.gp -- where the time of an average operation goes: one stacked
# bar per allocator, alloc and free side by side, each segment the mean
# simulated nanoseconds per operation charged to one cost account (cache
# hits, cache-line transfers, DRAM, atomics, lock waits, ...; see
# docs/report-schema.md, "Cost accounts").
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT, and ACCOUNTS: the accounts, in
# the order of the data files' columns 2, 3, ... (space-separated).
# Data (written by `slabsim plot` from DIR/breakdown.csv): DIR/plots/
# breakdown-alloc.csv and breakdown-free.csv, one row per allocator,
# columns allocator,ACCOUNT...; accounts that are zero everywhere are
# left out, and "total" (the bar's height) is not a segment.

load PLOTS.'/style.gp'
# A fixed colour per account, related accounts in related hues: local
# work greens, cache-line transfers oranges and reds, DRAM blues,
# synchronisation purples, fixed costs greys.
names = 'hit llc xfer_socket xfer_remote mem_local mem_remote inval atomic lock_wait irq op think idle page_allocator housekeeping ctor'
colours = '#2ca02c #98df8a #ffbb78 #d62728 #aec7e8 #1f77b4 #ff7f0e #c5b0d5 #9467bd #bbbbbb #7f7f7f #dbdb8d #eeeeee #8c564b #e377c2 #bcbd22'
colour(a) = (colour_k = sum [k=1:words(names)] (word(names, k) eq a ? k : 0), \
	colour_k ? word(colours, colour_k) : '#17becf')
file(op) = DIR.'/plots/breakdown-'.op.'.csv'

set title sprintf("cost breakdown: mean simulated time per operation\n%s", CAPTION)
set ylabel 'simulated ns per operation'
set style data histograms
set style histogram rowstacked title offset 0,-1.5 font ',11'
set style fill solid 1.0 border rgb '#ffffff'
set boxwidth 0.75
set yrange [0:*]
set grid noxtics ytics
set xtics nomirror scale 0 rotate by 30 right
set key outside right top vertical reverse invert noopaque nobox Left
set bmargin 7
n = words(ACCOUNTS)
plot newhistogram 'alloc' lt 1, \
	for [c=1:n] file('alloc') skip 1 using c+1:xtic(1) lc rgb colour(word(ACCOUNTS, c)) \
		title word(ACCOUNTS, c), \
     newhistogram 'free' lt 1, \
	for [c=1:n] file('free') skip 1 using c+1:xtic(1) lc rgb colour(word(ACCOUNTS, c)) notitle
