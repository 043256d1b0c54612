# style.gp -- the look every slabsim plot shares: terminal, size, fonts,
# colours.  Loaded first by each plot script.
#
# In (set by `slabsim plot` with -e): FORMAT ('png' or 'svg'), OUT (the
# file to write).  Optional: HEIGHT in pixels (default 500).  Width is
# 800 pixels, the width of a mailing-list attachment viewed inline.
#
# Allocators get line types 1..8 in the order of the results (the order
# of [scenario] allocators), so an allocator has the same colour in every
# plot of one results directory.

if (!exists("HEIGHT")) HEIGHT = 500
if (FORMAT eq 'svg') {
	set terminal svg size 800,HEIGHT font 'DejaVu Sans,12' noenhanced background '#ffffff'
} else {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 800,HEIGHT font 'DejaVu Sans,10' noenhanced background '#ffffff'
	} else {
		set terminal png size 800,HEIGHT font 'DejaVu Sans' 10 noenhanced background '#ffffff'
	}
}
set output OUT
set datafile separator comma
set datafile missing 'NaN'
set grid back lc rgb '#dddddd'
set border 3 back
set tics nomirror out
set key opaque box lc rgb '#bbbbbb'

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
set linetype 1 lc rgb '#0072b2' lw 2 pt 7 ps 0.8
set linetype 2 lc rgb '#d55e00' lw 2 pt 5 ps 0.8
set linetype 3 lc rgb '#009e73' lw 2 pt 9 ps 0.9
set linetype 4 lc rgb '#cc79a7' lw 2 pt 11 ps 0.9
set linetype 5 lc rgb '#e69f00' lw 2 pt 13 ps 0.9
set linetype 6 lc rgb '#56b4e9' lw 2 pt 4 ps 0.8
set linetype 7 lc rgb '#000000' lw 2 pt 6 ps 0.8
set linetype 8 lc rgb '#999999' lw 2 pt 8 ps 0.8
set linetype cycle 8

# The i-th allocator of ALLOCS, and the position of allocator a in it.
alloc(i) = word(ALLOCS, i)
nallocs = words(ALLOCS)
alloc_index(a) = sum [alloc_j=1:nallocs] (word(ALLOCS, alloc_j) eq a ? alloc_j : 0)

# Bytes with binary prefixes, as the text reports write them ("4 KiB",
# "1.5 MiB"; gnuplot's own %B would say "ki"), and the tics that use
# them: ByteTicsLog(lo, hi) at powers of two from lo to hi, at most about
# eight; ByteTicsLin(hi) at multiples of a power of two from 0 to hi.
bunit(v) = v >= 2.0**40 ? sprintf('%g TiB', v / 2.0**40) : \
	v >= 2.0**30 ? sprintf('%g GiB', v / 2.0**30) : \
	v >= 2.0**20 ? sprintf('%g MiB', v / 2.0**20) : \
	v >= 2.0**10 ? sprintf('%g KiB', v / 2.0**10) : sprintf('%g B', v)
bytes_log_step(lo, hi) = ceil(log(hi / lo) / log(2) / 8)
bytes_lin_step(hi) = hi >= 4 ? 2.0 ** floor(log(hi / 4.0) / log(2)) : 1
ByteTicsLog = 'set ytics (); bt_e0 = floor(log(bt_lo) / log(2)); bt_k = bytes_log_step(bt_lo, bt_hi); '. \
	'do for [bt_i=0:64] { bt_v = 2.0 ** (bt_e0 + bt_i * bt_k); if (bt_v <= bt_hi) { set ytics add (bunit(bt_v) bt_v) } }'
ByteTicsLin = 'set ytics (); bt_s = bytes_lin_step(bt_hi); '. \
	'do for [bt_i=0:16] { bt_v = bt_i * bt_s; if (bt_v <= bt_hi) { set ytics add (bunit(bt_v) bt_v) } }'
