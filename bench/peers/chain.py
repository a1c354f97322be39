# CPython asyncio peer of bench/workloads/chain.mpl: N tasks in a line, a
# token goes down and the hop count back up, ROUNDS times.
# Run: python3 chain.py [N] [ROUNDS]
import asyncio, sys

async def node(up_down, up_up, down_down, down_up):
    while True:
        if not await up_down.get():
            down_down.put_nowait(False)
            return
        down_down.put_nowait(True)
        up_up.put_nowait(await down_up.get() + 1)

async def far(up_down, up_up):
    while await up_down.get():
        up_up.put_nowait(1)

async def main(n, r):
    first = (asyncio.Queue(), asyncio.Queue())
    up = first
    tasks = []
    for _ in range(n - 1):
        down = (asyncio.Queue(), asyncio.Queue())
        tasks.append(asyncio.create_task(node(up[0], up[1], down[0], down[1])))
        up = down
    tasks.append(asyncio.create_task(far(up[0], up[1])))
    total = 0
    for _ in range(r):
        first[0].put_nowait(True)
        total += await first[1].get()
    first[0].put_nowait(False)
    await asyncio.gather(*tasks)
    print(f"hops: {total}")

args = sys.argv[1:] + [None, None]
asyncio.run(main(int(args[0] or 10000), int(args[1] or 50)))
