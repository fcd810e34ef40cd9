// End to end on the real desktop app: the Tauri window (WebKitGTK) driven
// through tauri-driver and WebKitWebDriver with webdriverio. Where the
// Chromium tests talk to `archsim serve` over HTTP, these go through the
// Tauri commands, the app's capabilities and its CSP: open a design given
// on the command line, add a component from the palette, see a property's
// inline error, save to the file it came from, undo, run a live
// simulation and price the design.
//
// Needs: ARCHSIM_DESKTOP (the archsim-desktop binary, built with the
// custom-protocol feature so the UI is embedded), tauri-driver (on the PATH
// or in TAURI_DRIVER), WebKitWebDriver and a display (scripts/desktop-e2e.sh
// sets these up).
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { remote } from "webdriverio";
import { archsimBin, repo, tempDir } from "./harness.mjs";

const shots = join(repo, "artifacts", "desktop");
mkdirSync(shots, { recursive: true });
const dir = tempDir("archsim-desktop-e2e-");
const design = join(dir, "queue-worker.archsim.json");
copyFileSync(join(repo, "examples", "queue-worker.archsim.json"), design);
const components = () => JSON.parse(readFileSync(design, "utf8")).components;

let driver;
let browser;
const shot = (name) => browser.saveScreenshot(join(shots, `e2e-${name}.png`));

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

/** Resolves once something accepts connections on the port (tauri-driver
 * proxies every HTTP request to WebKitWebDriver, which only starts with a
 * session, so a plain TCP connect is the readiness check). */
async function waitForDriver(port) {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((ok) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        ok(true);
      });
      socket.on("error", () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start listening in 10 s");
}

before(async () => {
  const app = process.env.ARCHSIM_DESKTOP;
  assert.ok(app && existsSync(app), `ARCHSIM_DESKTOP must name the desktop binary (got ${app})`);
  const [port, nativePort] = [await freePort(), await freePort()];
  driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "inherit", "inherit"],
    // The app keeps recent files and recovery copies under the state
    // directory: a fresh one per run.
    env: { ...process.env, XDG_STATE_HOME: join(dir, "state"), WEBKIT_DISABLE_COMPOSITING_MODE: "1", WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
  });
  await waitForDriver(port);
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryCount: 0,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: app, args: [design] },
    },
  });
  await browser.setTimeout({ implicit: 0 });
});

after(async () => {
  await browser?.deleteSession().catch(() => undefined);
  driver?.kill();
});

const $ = (selector) => browser.$(selector);
const count = async (selector) => (await browser.$$(selector)).length;
// Every component is on the minimap; the canvas draws only the cards in
// view (the design opens at a readable zoom, so some may be outside it).
const CARDS = ".react-flow__minimap-node.minimap-component";
const waitUntil = (what, fn, timeout = 15000) => browser.waitUntil(fn, { timeout, interval: 100, timeoutMsg: `timed out waiting for ${what}` });

test("the window opens on the design given on the command line", async () => {
  const title = await $('[data-testid="doc-title"]');
  await title.waitForDisplayed({ timeout: 30000 });
  await waitUntil("the file name in the title", async () => (await title.getText()).includes("queue-worker.archsim.json"));
  const n = components().length;
  await waitUntil(`${n} cards`, async () => (await count(CARDS)) === n);
  await shot("01-opened");
});

test("a palette click adds a component through the Tauri commands, and Save writes it to the file", async () => {
  const ids = new Set(components().map((c) => c.id));
  const before = ids.size;
  await (await $('[data-testid="palette-lambda_function"]')).click();
  await waitUntil("the new card", async () => (await count(CARDS)) === before + 1);
  await (await $('[data-testid="dirty"]')).waitForDisplayed();
  // The inspector's typed form, with the model's range check.
  const memory = await $("#field-memory_mb");
  await memory.waitForDisplayed();
  // Select the field's text and type over it, as a user does.
  const type = async (text) => {
    await memory.click();
    await browser.keys(["Control", "a"]);
    await browser.keys([...text, "Enter"]);
  };
  await type("20000");
  await (await $('[data-testid="field-memory_mb"] .field-error')).waitForDisplayed();
  await shot("02-added-and-invalid");
  await type("512");
  await (await $('[data-testid="field-memory_mb"] .field-error')).waitForDisplayed({ reverse: true });
  // Save (Ctrl+S) goes straight to the file the design came from.
  await (await $(".react-flow__pane")).click();
  await browser.keys(["Control", "s"]);
  await waitUntil("the saved file to hold the new function", async () => components().length === before + 1);
  await (await $('[data-testid="dirty"]')).waitForDisplayed({ reverse: true });
  const added = components().filter((c) => !ids.has(c.id));
  assert.equal(added.length, 1);
  assert.equal(added[0].kind, "lambda_function");
  assert.equal(added[0].props.memory_mb, 512, "the edited memory size was saved");
  // Undo, twice: the memory edit, then the added component; the design
  // is back to the example (and differs from the saved file: dirty).
  for (let i = 0; i < 2; i++) await (await $('[data-testid="undo"]')).click();
  await waitUntil("the card to go", async () => (await count(CARDS)) === before);
  await (await $('[data-testid="dirty"]')).waitForDisplayed();
  await shot("03-saved-then-undone");
});

test("a live simulation runs in the window: the clock advances and cards get badges", async () => {
  await (await $('[data-testid="sim-start"]')).click();
  const clock = await $(".clock-now");
  await clock.waitForDisplayed({ timeout: 15000 });
  const seconds = async () =>
    (await clock.getText())
      .split(":")
      .map(Number)
      .reduce((a, x) => a * 60 + x, 0);
  const speed = await $('select[aria-label="Speed"]');
  await speed.selectByAttribute("value", "60");
  await waitUntil("the clock to pass 0:30", async () => (await seconds()) > 30, 20000);
  await waitUntil("live badges on the cards", async () => (await count('[data-badge="rps"]')) > 0);
  await shot("04-simulating");
  await (await $('[data-testid="sim-stop"]')).click();
  await (await $('[data-testid="sim-start"]')).waitForDisplayed();
});

test("the cost panel prices the design as the CLI does", async () => {
  await (await $("button=Cost")).click();
  const total = await $('[data-testid="cost-total"]');
  await total.waitForDisplayed({ timeout: 20000 });
  await waitUntil("the estimate", async () => Number(await total.getAttribute("data-usd")) > 0);
  const usd = Number(await total.getAttribute("data-usd"));
  // The window holds the example as it was (the added function was
  // undone), so its total is the CLI's for the example, to the cent.
  const cli = JSON.parse(execFileSync(archsimBin(), ["cost", join(repo, "examples", "queue-worker.archsim.json"), "--json"], { encoding: "utf8" }));
  assert.equal(Math.round(usd * 100), Math.round(cli.report.total_usd * 100), `window ${usd} vs archsim cost ${cli.report.total_usd}`);
  await shot("05-cost");
});
