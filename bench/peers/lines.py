# CPython peer of bench/workloads/lines.mpl: read stdin line by line and
# count the words. Run: python3 lines.py < text
import sys
words = 0
for line in sys.stdin:
    words += len(line.split())
print(f"words: {words}")
