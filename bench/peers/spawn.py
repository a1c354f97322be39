# CPython asyncio peer of bench/workloads/spawn.mpl: N tasks parked on a
# future, then each sent one value. Run: python3 spawn.py [N]
import asyncio, sys

async def parked(fut):
    await fut

async def main(n):
    loop = asyncio.get_running_loop()
    futs = [loop.create_future() for _ in range(n)]
    tasks = [asyncio.create_task(parked(f)) for f in futs]
    await asyncio.sleep(0)  # let every task start and park
    for f in futs:
        f.set_result(1)
    await asyncio.gather(*tasks)
    print(f"woke: {n}")

asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100000))
