# footprint.gp -- memory footprint over simulated time, every allocator on
# one figure, in two panels:
#   top:    slab pages the allocator holds (solid) and the bytes the
#           workload holds in live objects (dashed);
#   bottom: free objects parked in allocator queues (solid) and the
#           allocator's metadata (dashed).
# The gap between an allocator's solid and dashed top curves is its waste
# (free space in slabs plus queued objects).  Runs that end at different
# times are drawn over the fraction of each allocator's own run (NORM), so
# a run of microseconds shows beside one of seconds; the legend gives each
# run's length.  A panel whose values span two orders of magnitude or
# more has a log axis; bytes are binary (KiB = 1024 B).
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT; SPANS (each allocator's run
# length in ns, in ALLOCS order), SPANLABELS (the same for people), NORM
# (0 or 1), LOGTOP, LOGBOTTOM (0 or 1), TOPMIN, TOPMAX, BOTTOMMIN,
# BOTTOMMAX (the positive range of each panel's values); HAS_SLAB,
# HAS_LIVE, HAS_QUEUED, HAS_META: the positions in ALLOCS of the
# allocators with a non-zero value in that column (a log axis cannot
# show a curve of zeros).
# Data: DIR/footprint-ALLOC.csv, columns allocator,time_ns,slab_bytes,
# live_bytes,queued_bytes,metadata_bytes; one row per sampling tick and
# one at the end of the run.

HEIGHT = 720
load PLOTS.'/style.gp'
file(i) = DIR.'/footprint-'.alloc(i).'.csv'
span(i) = word(SPANS, i) + 0.0
x(i) = NORM ? 100.0 * column(2) / span(i) : column(2) / 1e6
pos(v) = v > 0 ? v : NaN
key(i) = NORM ? sprintf('%s (%s)', alloc(i), word(SPANLABELS, i)) : alloc(i)
ALLIDX = ''
do for [i=1:nallocs] { ALLIDX = ALLIDX.' '.i }
set multiplot layout 2,1 title sprintf("memory footprint over time\n%s", CAPTION)
set xlabel (NORM ? "fraction of each allocator's own run (%)" : 'simulated time (ms)')
if (NORM) { set xrange [0:100] }
set key top left horizontal maxcols 3
set lmargin 12
set rmargin 3

# Room above the highest curve for the key: a third of the axis.
headroom(lo, hi) = 2.0 ** (0.5 * log(hi / lo) / log(2) + 2)

set ylabel 'simulated bytes'.(LOGTOP ? ' (log scale)' : '')
set title 'slab pages (solid), live objects (dashed)'
if (LOGTOP) {
	set logscale y 2
	bt_lo = TOPMIN; bt_hi = TOPMAX * headroom(TOPMIN, TOPMAX)
	@ByteTicsLog
	set yrange [TOPMIN / 2:TOPMAX * headroom(TOPMIN, TOPMAX)]
} else {
	set yrange [0:TOPMAX * 1.5]
	bt_hi = TOPMAX * 1.5
	@ByteTicsLin
}
plot for [s in (LOGTOP ? HAS_SLAB : ALLIDX)] file(int(s)) skip 1 using (x(int(s))):(LOGTOP ? pos($3) : $3) \
	with lines lt int(s) title key(int(s)), \
     for [s in (LOGTOP ? HAS_LIVE : ALLIDX)] file(int(s)) skip 1 using (x(int(s))):(LOGTOP ? pos($4) : $4) \
	with lines lt int(s) dt 2 lw 1.5 notitle

unset logscale y
set ylabel 'simulated bytes'.(LOGBOTTOM ? ' (log scale)' : '')
set title 'objects parked in queues (solid), metadata (dashed)'
if (LOGBOTTOM) {
	set logscale y 2
	bt_lo = BOTTOMMIN; bt_hi = BOTTOMMAX * headroom(BOTTOMMIN, BOTTOMMAX)
	@ByteTicsLog
	set yrange [BOTTOMMIN / 2:BOTTOMMAX * headroom(BOTTOMMIN, BOTTOMMAX)]
} else {
	set yrange [0:BOTTOMMAX * 1.5]
	bt_hi = BOTTOMMAX * 1.5
	@ByteTicsLin
}
plot for [s in (LOGBOTTOM ? HAS_QUEUED : ALLIDX)] file(int(s)) skip 1 \
	using (x(int(s))):(LOGBOTTOM ? pos($5) : $5) with lines lt int(s) title key(int(s)), \
     for [s in (LOGBOTTOM ? HAS_META : ALLIDX)] file(int(s)) skip 1 \
	using (x(int(s))):(LOGBOTTOM ? pos($6) : $6) with lines lt int(s) dt 2 lw 1.5 \
	title (strstrt(' '.HAS_QUEUED.' ', ' '.s.' ') ? '' : key(int(s)))
unset multiplot
