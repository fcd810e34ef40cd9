// UI performance: opens a generated 500-component design in Chromium
// against `archsim serve` and measures open time, pan and zoom frame rates,
// and how fast an added component and connection reach the canvas.
// Not part of scripts/test.sh: run `node ui/e2e/perf.mjs` (after building
// the UI and archsim); results go to stdout and artifacts/ui/perf.json.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { archsimBin, ensureArtifacts, launch, startServe, tempDir, writeChains } from "./harness.mjs";

const CHAINS = 125; // client -> API -> Lambda -> table: 4 components each
const dir = tempDir("archsim-perf-");
const design = join(dir, "big.archsim.json");

function generate() {
  writeChains(design, CHAINS);
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

/** Cards the page shows: visible DOM cards, or those the overview canvas drew. */
const shown = () => {
  const overview = document.querySelector("canvas.overview");
  return {
    cards: [...document.querySelectorAll(".react-flow__node-component .card")].map((c) => c.closest(".react-flow__node").dataset.id),
    drawn: overview ? Number(overview.dataset.drawn ?? 0) : -1,
  };
};

/**
 * Times, inside the page, from the input event that starts a change (its
 * timeStamp: when the browser received it) to the mutation that puts the
 * change on screen (`changed()` true), and to the start of the next frame,
 * which paints it. Playwright's own time around its click (actionability
 * checks, two animation frames) is not in these numbers.
 */
async function armInPage(page, eventType, what, before) {
  await page.evaluate(
    ([eventType, what, before]) => {
      // A new card (DOM, or one more drawn on the overview), or a new edge.
      const changed = () => {
        if (what === "edge") return document.querySelectorAll(".react-flow__edge").length > before;
        const overview = document.querySelector("canvas.overview");
        if (overview) return Number(overview.dataset.drawn ?? 0) > before.drawn;
        return [...document.querySelectorAll(".react-flow__node-component .card")].some((c) => !before.cards.includes(c.closest(".react-flow__node").dataset.id));
      };
      const out = (window.__change = { start: null, dom: null, frame: null });
      document.addEventListener(eventType, (e) => (out.start = e.timeStamp), { capture: true, once: true });
      const root = document.querySelector(".canvas");
      const mo = new MutationObserver(() => {
        if (out.start === null || out.dom !== null || !changed()) return;
        out.dom = performance.now();
        mo.disconnect();
        requestAnimationFrame(() => (out.frame = performance.now()));
      });
      mo.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-drawn", "class"] });
    },
    [eventType, what, before],
  );
}
async function readInPage(page) {
  await page.waitForFunction(() => window.__change.frame !== null, null, { polling: 5 });
  const c = await page.evaluate(() => window.__change);
  return { on_screen_ms: Math.round(c.dom - c.start), next_frame_ms: Math.round(c.frame - c.start) };
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
    // The first card, as a DOM card or drawn by the overview canvas.
    await page.waitForFunction(() => document.querySelector(".react-flow__node-component .card") || Number(document.querySelector("canvas.overview")?.dataset.drawn) > 0, null, { polling: 5 });
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

    // Click to add at the centre; time until the card is on screen: a new
    // DOM card, or one more card drawn on the overview canvas. Wall time
    // around Playwright's click, and in-page time from the click event.
    const inPage = [];
    const addOne = async () => {
      const before = await page.evaluate(shown);
      const isNew = (b) => {
        const overview = document.querySelector("canvas.overview");
        if (overview) return Number(overview.dataset.drawn ?? 0) > b.drawn;
        return [...document.querySelectorAll(".react-flow__node-component .card")].some((c) => !b.cards.includes(c.closest(".react-flow__node").dataset.id));
      };
      await armInPage(page, "click", "card", before);
      const t = Date.now();
      await page.getByTestId("palette-sqs_queue").click();
      await page.waitForFunction(isNew, before, { polling: 5 });
      const wall = Date.now() - t;
      inPage.push(await readInPage(page));
      return wall;
    };
    // What Playwright's own click costs (actionability checks wait for
    // animation frames), on an element that does nothing: the wall times
    // of the adds below include it, the in-page times do not.
    const inert = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      await page.locator(".palette-group h3").first().click();
      inert.push(Date.now() - t);
    }
    results.playwright_click_on_inert_heading_ms = inert;
    results.overview_on = await page.evaluate(() => !!document.querySelector("canvas.overview"));
    results.add_component_whole_design_ms = [await addOne(), await addOne(), await addOne()];
    results.add_component_whole_design_in_page = inPage.splice(0);
    await page.screenshot({ path: join(ensureArtifacts(), "perf-500.png") });
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(400);
    results.nodes_in_dom_zoomed_in = await page.locator(".react-flow__node-component").count();
    results.add_component_zoomed_in_ms = [await addOne(), await addOne(), await addOne()];
    results.add_component_zoomed_in_in_page = inPage.splice(0);

    // Connect a handler to another chain's table (allowed: uses), by
    // dragging between handles; time from the mouse release to the edge.
    const connectOne = async () => {
      const pair = await page.evaluate(() => {
        // Only cards whose handles are well inside the pane (not under a panel).
        const pane = document.querySelector(".react-flow__pane").getBoundingClientRect();
        const inside = (n) =>
          [...n.querySelectorAll(".react-flow__handle")].every((h) => {
            const r = h.getBoundingClientRect();
            return r.left > pane.left + 20 && r.right < pane.right - 20 && r.top > pane.top + 20 && r.bottom < pane.bottom - 20;
          });
        const cards = [...document.querySelectorAll(".react-flow__node-component")].filter(inside).map((n) => n.dataset.id);
        const fns = cards.filter((id) => id.startsWith("fn-"));
        const tables = cards.filter((id) => id.startsWith("table-"));
        for (const f of fns) for (const t of tables) if (f.slice(3) !== t.slice(6) && !window.__connected?.includes(`${f}>${t}`)) return [f, t];
        return null;
      });
      if (!pair) throw new Error("no handler and table of different chains on screen");
      await page.evaluate((p) => (window.__connected = [...(window.__connected ?? []), p.join(">")]), pair);
      const handle = async (id, kind) => {
        const b = await page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.${kind}`).boundingBox();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      };
      const a = await handle(pair[0], "source");
      const b = await handle(pair[1], "target");
      const edgesBefore = await page.locator(".react-flow__edge").count();
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
      await page.mouse.move(b.x, b.y, { steps: 4 });
      await armInPage(page, "mouseup", "edge", edgesBefore);
      const t = Date.now();
      await page.mouse.up();
      await page.waitForFunction((n) => document.querySelectorAll(".react-flow__edge").length > n, edgesBefore, { polling: 5 });
      const wall = Date.now() - t;
      inPage.push(await readInPage(page));
      return wall;
    };
    // A little further out, so that several handlers and tables are on screen.
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 2; i++) await page.mouse.wheel(0, 200);
    await page.waitForTimeout(400);
    results.add_connection_zoomed_in_ms = [await connectOne(), await connectOne(), await connectOne()];
    results.add_connection_zoomed_in_in_page = inPage.splice(0);
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
