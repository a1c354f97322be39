// Drives VS Code (code-server, in headless Chromium) as a person would:
// opens counter.mpl, shows the hover on a channel, then makes an error and
// shows its diagnostic; saves both screenshots and fails on a page error.
// Run by run.sh, which starts code-server with the extension installed.
const { chromium } = require("playwright-core");

const url = process.env.CODE_URL;
const out = process.env.IMAGES;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await sleep(4000);
  await page.keyboard.press("Control+P");
  await sleep(800);
  await page.keyboard.type("counter.mpl");
  await sleep(800);
  await page.keyboard.press("Enter");
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30000 });
  await sleep(6000); // the server starts and checks the file
  const goto = async (line, column) => {
    await page.keyboard.press("Control+G");
    await sleep(400);
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press("Enter");
    await sleep(400);
  };
  const hover = async () => {
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await sleep(1500);
  };
  // `c` before its first `put`: its state, the labels it may send, and
  // its protocol; the inlay hints give the state after each line.
  await goto(13, 3);
  await hover();
  const shown = await page.locator(".monaco-hover").innerText();
  if (!shown.includes("c : Counter")) throw new Error(`hover shows ${shown}`);
  await page.screenshot({ path: `${out}/hover.png` });
  await page.keyboard.press("Escape");
  // A third `Inc` where the program stops: `c.get` comes too early.
  await goto(15, 9);
  await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.type("Inc");
  await sleep(3000);
  await goto(16, 23);
  await hover();
  const problem = await page.locator(".monaco-hover").innerText();
  if (!problem.includes("E0060")) throw new Error(`hover shows ${problem}`);
  await page.screenshot({ path: `${out}/diagnostic.png` });
  await browser.close();
  if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join("\n")}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
