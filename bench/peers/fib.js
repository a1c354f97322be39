// Node.js peer of bench/workloads/fib.mpl. Run: node fib.js [N]
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
console.log(fib(Number(process.argv[2] || 30)));
