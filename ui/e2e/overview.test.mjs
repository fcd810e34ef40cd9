// End to end: a large design zoomed out is drawn on the overview canvas
// (no DOM cards), a click or a marquee there selects, the minimap still
// shows every component, and zooming back in brings the cards back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chainAt, documentWhen, documentNow, ensureArtifacts, launch, openDesigner, startServe, tempDir, writeChains } from "./harness.mjs";

const CHAINS = 50; // 200 components: above the overview's minimum
let server;
let browser;
let page;
const problemsSeen = [];
const shots = ensureArtifacts();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });

before(async () => {
  const dir = tempDir("archsim-e2e-overview-");
  const design = join(dir, "big.archsim.json");
  writeChains(design, CHAINS, { rps: 2, hot: 50 });
  server = await startServe(design, dir);
  browser = await launch();
  page = await openDesigner(browser, server.url, problemsSeen);
  await page.getByTestId("doc-title").filter({ hasText: "200 components" }).waitFor();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const overview = () => page.getByTestId("overview");
const cards = () => page.locator(".react-flow__node-component .card");

/** React Flow's viewport transform, from the DOM. */
async function viewport() {
  const t = await page.locator(".react-flow__viewport").evaluate((el) => el.style.transform);
  const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(t);
  return { x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3]) };
}

/** Where a canvas point is on the page. */
async function onPage(p) {
  const pane = await page.locator(".react-flow__pane").boundingBox();
  const v = await viewport();
  return { x: pane.x + p.x * v.zoom + v.x, y: pane.y + p.y * v.zoom + v.y };
}

test("opened, a large design is fitted at a readable zoom, not shrunk to fit", async () => {
  await cards().first().waitFor();
  const zoom = (await viewport()).zoom;
  assert.ok(zoom >= 0.8 - 1e-6, `opened at zoom ${zoom}: text would be below 10 px`);
  const name = zoom * (await cards().first().locator(".card-name").evaluate((el) => parseFloat(getComputedStyle(el).fontSize)));
  assert.ok(name >= 10, `a card's name is ${name.toFixed(1)} px on screen`);
  assert.equal(await page.locator(".react-flow__minimap-node").count(), 200, "the minimap shows every component");
  await shot("overview-00-opened-readable");
});

test("zoomed out (Shift+F), the whole design is drawn on the overview canvas, not as cards", async () => {
  await page.keyboard.press("Shift+F");
  await overview().waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="overview"]')?.dataset.drawn) === 200);
  assert.ok((await viewport()).zoom < 0.45, "the fitted view is zoomed out");
  assert.equal(await cards().count(), 0, "no DOM cards while the overview draws");
  // The canvas really has ink on it: cards, tiles and edges in colour.
  const painted = await overview().evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) {
        n += 1;
        colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
      }
    }
    return { n, colours: colours.size };
  });
  assert.ok(painted.n > 20000, `${painted.n} painted pixels`);
  assert.ok(painted.colours > 5, `${painted.colours} colours`);
  assert.equal(await page.locator(".react-flow__minimap-node").count(), 200, "the minimap shows every component");
  await shot("overview-01-zoomed-out");
});

test("a click on the overview selects the card under it", async () => {
  const fn = chainAt(7, 2); // Handler 7
  const at = await onPage({ x: fn.x + 80, y: fn.y + 27 });
  await page.mouse.click(at.x, at.y);
  await page.locator(".inspector-head", { hasText: "fn-007" }).waitFor();
  // A click on empty canvas clears it.
  const empty = await onPage({ x: chainAt(7, 0).x + 200, y: chainAt(7, 0).y + 80 });
  await page.mouse.click(empty.x, empty.y);
  await page.locator(".inspector-head", { hasText: "fn-007" }).waitFor({ state: "detached" });
  await page.mouse.click(at.x, at.y);
  await page.locator(".inspector-head", { hasText: "fn-007" }).waitFor();
  await shot("overview-02-selected");
});

test("a marquee on the overview selects the components inside it", async () => {
  // Chains 0 and 5 (first block, rows 0 and 1): 8 components.
  const from = await onPage({ x: chainAt(0, 0).x - 20, y: chainAt(0, 0).y - 20 });
  const to = await onPage({ x: chainAt(5, 3).x + 180, y: chainAt(5, 3).y + 70 });
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
  await page.locator(".inspector", { hasText: "8 selected" }).waitFor();
  await shot("overview-03-marquee");
  // Back to one selected component for the next step.
  const fn = await onPage({ x: chainAt(7, 2).x + 80, y: chainAt(7, 2).y + 27 });
  await page.mouse.click(fn.x, fn.y);
  await page.locator(".inspector-head", { hasText: "fn-007" }).waitFor();
});

test("zooming back in shows the cards and their connections again", async () => {
  const at = await onPage({ x: chainAt(7, 2).x + 80, y: chainAt(7, 2).y + 27 });
  await page.mouse.move(at.x, at.y);
  for (let i = 0; i < 6; i++) {
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(30);
  }
  await overview().waitFor({ state: "detached" });
  assert.ok((await viewport()).zoom >= 0.45);
  await page.locator('.react-flow__node[data-id="fn-007"] .card.selected').waitFor();
  await page.locator(".react-flow__edge-text", { hasText: "uses" }).first().waitFor();
  assert.ok((await cards().count()) > 0);
  await shot("overview-04-zoomed-in");
  // Fitting the whole design (Shift+F) goes back to the overview.
  await page.keyboard.press("Shift+F");
  await overview().waitFor();
});

test("an SVG export of the zoomed-out design draws the cards, then the overview comes back", async () => {
  await overview().waitFor();
  await page.getByTestId("export-image").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("image-svg").click()]);
  const file = join(tempDir("archsim-e2e-overview-svg-"), download.suggestedFilename());
  await download.saveAs(file);
  const svg = readFileSync(file, "utf8");
  assert.match(svg, /Handler 7/);
  assert.match(svg, /Table 49/);
  await overview().waitFor();
  assert.equal(await cards().count(), 0);
});

test("during a run the overview shows each card's flow and rings the one in trouble", async () => {
  await overview().waitFor();
  const data = () => overview().evaluate((c) => ({ drawn: Number(c.dataset.drawn), live: Number(c.dataset.live), trouble: Number(c.dataset.trouble) }));
  assert.equal((await data()).live, 0, "no live marks before a run");
  await page.getByTestId("sim-start").click();
  await page.getByLabel("Speed").selectOption("10");
  // Every card on screen gets its live numbers; chain 0's function has one
  // environment for 50 requests/s, so it throttles and is ringed.
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="overview"]');
    return c && Number(c.dataset.live) === Number(c.dataset.drawn) && Number(c.dataset.trouble) > 0;
  }, null, { timeout: 20000 });
  const d = await data();
  assert.ok(d.trouble < 10, `only the hot chain is in trouble (${d.trouble} ringed)`);
  // The rings are on the canvas in the cards' amber or red.
  const ringed = await overview().evaluate((c) => {
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
      if ((Math.abs(r - 0xd9) < 12 && Math.abs(g - 0x77) < 12 && b < 30) || (Math.abs(r - 0xdc) < 12 && Math.abs(g - 0x26) < 12 && Math.abs(b - 0x26) < 12)) n++;
    }
    return n;
  });
  assert.ok(ringed > 20, `amber or red ring pixels on the canvas: ${ringed}`);
  await shot("overview-04-live");
  await page.getByTestId("sim-stop").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="overview"]')?.dataset.live === "0");
});

test("Layout (ELK) packs the separate chains into a grid, left to right, and one undo takes it back", async () => {
  const before = await documentNow(page, server);
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Layout", exact: true }).click();
  await page.waitForFunction(() => !document.querySelector(".toast.error"));
  const after = await documentWhen(page, server, (d) =>
    d.components.some((c, j) => c.position.x !== before.components[j].position.x || c.position.y !== before.components[j].position.y),
  );
  const at = new Map(after.components.map((c) => [c.id, c.position]));
  // Each chain flows left to right.
  for (const i of ["000", "017", "049"]) {
    const xs = ["client", "api", "fn", "table"].map((k) => at.get(`${k}-${i}`).x);
    assert.ok(xs[0] < xs[1] && xs[1] < xs[2] && xs[2] < xs[3], `chain ${i}: ${xs}`);
  }
  // The 50 chains are a grid, not one column (nor one row).
  const xs = after.components.map((c) => c.position.x);
  const ys = after.components.map((c) => c.position.y);
  const ratio = (Math.max(...xs) - Math.min(...xs) + 164) / (Math.max(...ys) - Math.min(...ys) + 54);
  assert.ok(ratio > 0.5 && ratio < 4, `width/height ${ratio.toFixed(2)}`);
  await page.keyboard.press("Shift+F");
  await page.waitForTimeout(400);
  await shot("overview-05-laid-out");
  await page.getByTestId("undo").click();
  const undone = await documentWhen(page, server, (d) => d.components[0].position.x === before.components[0].position.x, 30000);
  assert.equal(undone.components[0].position.x, before.components[0].position.x, "one undo takes the layout back");
});

test("no console errors and no CSP violations", () => {
  assert.deepEqual(problemsSeen, []);
});
