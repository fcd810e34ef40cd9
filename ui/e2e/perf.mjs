// UI performance: opens a generated 500-component design in Chromium
// against `archsim serve` and measures open time, pan and zoom frame rates,
// and how fast an added component and connection reach the canvas.
// Not part of scripts/test.sh: run `node ui/e2e/perf.mjs` (after building
// the UI and archsim); results go to stdout and artifacts/ui/perf.json.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { archsimBin, ensureArtifacts, launch, startServe, tempDir } from "./harness.mjs";

const CHAINS = 125; // client -> API -> Lambda -> table: 4 components each
const dir = tempDir("archsim-perf-");
const design = join(dir, "big.archsim.json");

function generate() {
  const components = [];
  const connections = [];
  // Five blocks side by side, 25 chains each: roughly a wide, busy canvas.
  const at = (i, col) => ({ x: (i % 5) * 1040 + col * 240, y: Math.floor(i / 5) * 96 });
  for (let i = 0; i < CHAINS; i++) {
    const id = (k) => `${k}-${String(i).padStart(3, "0")}`;
    components.push({ id: id("client"), kind: "client", name: `Client ${i}`, position: at(i, 0) });
    components.push({ id: id("api"), kind: "api_gateway", name: `API ${i}`, position: at(i, 1) });
    components.push({ id: id("fn"), kind: "lambda_function", name: `Handler ${i}`, position: at(i, 2) });
    components.push({ id: id("table"), kind: "dynamodb_table", name: `Table ${i}`, position: at(i, 3) });
    connections.push({ id: id("c1"), from: id("client"), to: id("api"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c2"), from: id("api"), to: id("fn"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c3"), from: id("fn"), to: id("table"), kind: { meaning: "uses", access: "read_write" } });
  }
  writeFileSync(design, JSON.stringify({ format: 1, name: "500 components", components, connections }, null, 2));
  // The core must read it, and accept every connection.
  let report;
  try {
    report = execFileSync(archsimBin(), ["validate", "--json", design]).toString();
  } catch (e) {
    if (e.status !== 1) throw e;
    report = e.stdout.toString();
  }
  const refused = JSON.parse(report).problems.filter((p) => p.code === "CONNECTION_NOT_ALLOWED");
  if (refused.length) throw new Error(`generated design has refused connections: ${refused[0].message}`);
}

async function framesDuring(page, action) {
  await page.evaluate(() => {
    window.__frames = [];
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__counting) requestAnimationFrame(tick);
    };
    window.__counting = true;
    requestAnimationFrame(tick);
  });
  await action();
  const frames = await page.evaluate(() => {
    window.__counting = false;
    return window.__frames;
  });
  const span = (frames[frames.length - 1] - frames[0]) / 1000;
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  return { fps: Math.round(((frames.length - 1) / span) * 10) / 10, worst_frame_ms: Math.round(Math.max(...gaps)) };
}

async function main() {
  generate();
  const server = await startServe(design, dir);
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const results = { components: CHAINS * 4, connections: CHAINS * 3 };
  try {
    const t0 = Date.now();
    await page.goto(server.url);
    await page.locator(".react-flow__node-component").first().waitFor();
    await page.locator(".problems h3").waitFor();
    results.open_ms = Date.now() - t0;

    const pane = await page.locator(".react-flow__pane").boundingBox();
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    // Zoom in to a working scale first, then pan with the middle button.
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(300);
    results.pan = await framesDuring(page, async () => {
      await page.mouse.down({ button: "middle" });
      for (let i = 0; i < 60; i++) await page.mouse.move(cx - i * 6, cy - i * 4);
      await page.mouse.up({ button: "middle" });
    });
    results.zoom = await framesDuring(page, async () => {
      for (let i = 0; i < 30; i++) {
        await page.mouse.wheel(0, i < 15 ? 120 : -120);
        await page.waitForTimeout(16);
      }
    });
    // Zoomed out to the whole design: every node on screen.
    await page.keyboard.press("f");
    await page.waitForTimeout(400);
    results.pan_whole_design = await framesDuring(page, async () => {
      await page.mouse.down({ button: "middle" });
      for (let i = 0; i < 60; i++) await page.mouse.move(cx - i * 4, cy - i * 2);
      await page.mouse.up({ button: "middle" });
    });

    // Click to add at the centre; time until the card is in the DOM.
    const addOne = async () => {
      const ids = await page.$$eval(".react-flow__node-component", (ns) => ns.map((n) => n.dataset.id));
      const t = Date.now();
      await page.getByTestId("palette-sqs_queue").click();
      await page.waitForFunction(
        (known) => [...document.querySelectorAll(".react-flow__node-component")].some((n) => !known.includes(n.dataset.id)),
        ids,
        { polling: 5 },
      );
      return Date.now() - t;
    };
    results.add_component_whole_design_ms = [await addOne(), await addOne(), await addOne()];
    await page.screenshot({ path: join(ensureArtifacts(), "perf-500.png") });
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(400);
    results.nodes_in_dom_zoomed_in = await page.locator(".react-flow__node-component").count();
    results.add_component_zoomed_in_ms = [await addOne(), await addOne(), await addOne()];
    await page.screenshot({ path: join(ensureArtifacts(), "perf-500-zoomed.png") });
  } finally {
    await browser.close();
    server.stop();
  }
  results.load_average = (await import("node:os")).loadavg().map((x) => Math.round(x * 100) / 100);
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(join(ensureArtifacts(), "perf.json"), JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
