# CPython peer of bench/workloads/lines_loop.mpl: the same per-character
# loop over each line of stdin (a word starts at a non-space after a
# space), as bench/peers/lines_loop.lua. For reference: the target is set
# against lines.py, whose `split` runs in C.
# Run: python3 lines_loop.py < text
import sys

words = 0
for line in sys.stdin:
    in_word = False
    for c in line:
        if c == " " or c == "\t" or c == "\r" or c == "\n":
            in_word = False
        elif not in_word:
            in_word = True
            words += 1
print(f"words: {words}")
