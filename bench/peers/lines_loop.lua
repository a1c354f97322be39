-- Lua 5.4 peer of bench/workloads/lines_loop.mpl: the same per-character
-- loop over each line of stdin (a word starts at a non-space after a
-- space). Run: lua5.4 lines_loop.lua < text
local words = 0
for line in io.lines() do
  local inWord = false
  for i = 1, #line do
    local c = line:byte(i)
    if c == 32 or c == 9 or c == 13 or c == 10 then
      inWord = false
    elseif not inWord then
      inWord = true
      words = words + 1
    end
  end
end
print("words: " .. words)
