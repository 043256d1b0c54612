# breakdown.gp -- where the time of an average operation goes, in two
# panels, allocations on the left and frees on the right:
#   top:    the mean simulated time per operation of each allocator (a
#           log axis when the means differ tenfold or more);
#   bottom: the share of that time charged to each cost account (cache
#           hits, cache-line transfers, DRAM, atomics, lock waits, ...;
#           see docs/report-schema.md, "Cost accounts"), stacked to 100 %.
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT; ACCOUNTS: the accounts, in the
# order of the data files' columns 2, 3, ... (space-separated); LOGY (0 or
# 1), TOTALMIN, TOTALMAX (the range of the means).
# Data (written by `slabsim plot` from DIR/breakdown.csv): DIR/plots/
# breakdown-alloc.csv and breakdown-free.csv, one row per allocator,
# columns allocator,ACCOUNT...,total; accounts that are zero everywhere
# are left out.

HEIGHT = 760
load PLOTS.'/style.gp'
# A fixed colour per account, related accounts in related hues: local
# work greens, cache-line transfers oranges and reds, DRAM blues,
# synchronisation purples, fixed costs greys.
names = 'hit llc xfer_socket xfer_remote mem_local mem_remote inval atomic lock_wait irq op think idle page_allocator housekeeping ctor'
colours = '#2ca02c #98df8a #ffbb78 #d62728 #aec7e8 #1f77b4 #ff7f0e #c5b0d5 #9467bd #bbbbbb #7f7f7f #dbdb8d #eeeeee #8c564b #e377c2 #bcbd22'
colour(a) = (colour_k = sum [k=1:words(names)] (word(names, k) eq a ? k : 0), \
	colour_k ? word(colours, colour_k) : '#17becf')
file(op) = DIR.'/plots/breakdown-'.op.'.csv'
n = words(ACCOUNTS)
share(c) = column(n + 2) > 0 ? 100.0 * column(c) / column(n + 2) : 0

set multiplot layout 2,1 title sprintf("cost breakdown: simulated time per operation\n%s", CAPTION)
set style data histograms
set style fill solid 1.0 border rgb '#ffffff'
set boxwidth 0.75
set grid noxtics ytics
set xtics nomirror scale 0 rotate by 30 right
set lmargin 12
set rmargin 18
set bmargin 5

set title 'mean time per operation'
set ylabel 'simulated ns'.(LOGY ? ' (log scale)' : '')
set style histogram clustered gap 1
if (LOGY) {
	set logscale y
	set yrange [TOTALMIN / 2:TOTALMAX * 2]
} else {
	set yrange [0:*]
}
set key outside right top vertical noopaque nobox
plot file('alloc') skip 1 using n+2:xtic(1) lc rgb '#4d4d4d' title 'alloc', \
     file('free') skip 1 using n+2 lc rgb '#a6a6a6' title 'free'

unset logscale y
set title 'where it goes'
set style histogram rowstacked title offset 0,-1.2 font ',11'
set ylabel 'share of the mean (%)'
set yrange [0:100]
set key outside right top vertical reverse invert noopaque nobox Left
plot newhistogram 'alloc' lt 1, \
	for [c=1:n] file('alloc') skip 1 using (share(c + 1)):xtic(1) lc rgb colour(word(ACCOUNTS, c)) \
		title word(ACCOUNTS, c), \
     newhistogram 'free' lt 1, \
	for [c=1:n] file('free') skip 1 using (share(c + 1)):xtic(1) lc rgb colour(word(ACCOUNTS, c)) notitle
unset multiplot
