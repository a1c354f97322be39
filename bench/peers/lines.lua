-- Lua 5.4 peer of bench/workloads/lines.mpl: count the words of each
-- line of stdin with the library's pattern matching. Run: lua5.4 lines.lua < text
local words = 0
for line in io.lines() do
  for _ in line:gmatch("%S+") do words = words + 1 end
end
print("words: " .. words)
