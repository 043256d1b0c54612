# footprint.gp -- memory footprint over simulated time, every allocator on
# one figure, in two panels:
#   top:    slab pages the allocator holds (solid) and the bytes the
#           workload holds in live objects (dashed);
#   bottom: free objects parked in allocator queues (solid) and the
#           allocator's metadata (dashed).
# The gap between an allocator's solid and dashed top curves is its waste
# (free space in slabs plus queued objects).
#
# In: DIR, ALLOCS, CAPTION, FORMAT, OUT.
# Data: DIR/footprint-ALLOC.csv, columns time_ns,slab_bytes,live_bytes,
# queued_bytes,metadata_bytes; one row per sampling tick.

HEIGHT = 720
load PLOTS.'/style.gp'
file(i) = DIR.'/footprint-'.alloc(i).'.csv'
set multiplot layout 2,1 title sprintf("memory footprint over time\n%s", CAPTION)
set xlabel 'simulated time (ms)'
set format y '%.0s %cB'
set key top right
set lmargin 12
set rmargin 3

set ylabel 'simulated bytes (k = 1000)'
set title 'slab pages (solid), live objects (dashed)'
set yrange [0:*]
# Room above the highest curve for the key.
set offsets 0, 0, graph 0.1, 0
plot for [i=1:nallocs] file(i) skip 1 using ($1/1e6):2 with lines lt i title alloc(i), \
     for [i=1:nallocs] file(i) skip 1 using ($1/1e6):3 with lines lt i dt 2 lw 1.5 notitle

set title 'objects parked in queues (solid), metadata (dashed)'
plot for [i=1:nallocs] file(i) skip 1 using ($1/1e6):4 with lines lt i title alloc(i), \
     for [i=1:nallocs] file(i) skip 1 using ($1/1e6):5 with lines lt i dt 2 lw 1.5 notitle
unset multiplot
