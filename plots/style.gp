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
