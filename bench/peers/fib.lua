-- Lua 5.4 peer of bench/workloads/fib.mpl. Run: lua5.4 fib.lua [N]
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(fib(tonumber(arg[1]) or 30))
