// Live view performance: a 100-component design at 1,000 requests/s
// (ui/e2e/bench-design.mjs) simulated live in Chromium against `archsim
// serve`, every card in view. Measures live views received per second,
// their round trip, the page's frame rate, and whether the page's JS heap
// or the server's memory grows over a minute of simulation.
// Not part of scripts/test.sh: run `node ui/e2e/live-perf.mjs` after
// building the UI and archsim (ARCHSIM_BIN for a release build); results
// go to stdout and artifacts/ui/live-perf.json.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeLiveBenchDesign } from "./bench-design.mjs";
import { ensureArtifacts, launch, startServe, tempDir } from "./harness.mjs";

const dir = tempDir("archsim-live-perf-");
const design = join(dir, "live-100.archsim.json");
const MEASURE_S = Number(process.env.LIVE_PERF_SECONDS ?? 20);

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

async function sample(page, cdp, seconds) {
  const before = await page.evaluate(() => ({ views: window.__archsimLiveViews ?? 0, t: performance.now() }));
  await page.evaluate(() => {
    window.__frames = 0;
    window.__counting = true;
    const tick = () => {
      window.__frames++;
      if (window.__counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.waitForTimeout(seconds * 1000);
  const after = await page.evaluate(() => {
    window.__counting = false;
    return { views: window.__archsimLiveViews ?? 0, t: performance.now(), frames: window.__frames, polls: window.__archsimLivePollMs ?? [] };
  });
  const span = (after.t - before.t) / 1000;
  const polls = [...after.polls].sort((a, b) => a - b);
  const q = (p) => Math.round(polls[Math.min(polls.length - 1, Math.floor(p * polls.length))] * 10) / 10;
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  return {
    views_per_s: Math.round(((after.views - before.views) / span) * 10) / 10,
    fps: Math.round((after.frames / span) * 10) / 10,
    poll_ms_p50: q(0.5),
    poll_ms_p95: q(0.95),
    js_heap_mb: Math.round((metrics.JSHeapUsedSize / 1048576) * 10) / 10,
    dom_nodes: metrics.Nodes,
    clock: await page.locator(".clock-now").innerText(),
  };
}

async function main() {
  writeLiveBenchDesign(design);
  const server = await startServe(design, dir);
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const results = { components: 100, rps: 1000, measure_s: MEASURE_S };
  try {
    await page.goto(server.url);
    await page.locator(".react-flow__node-component").first().waitFor();
    await page.keyboard.press("f");
    await page.getByTestId("sim-start").click();
    await page.getByTestId("sim-clock").waitFor();
    await page.waitForTimeout(5000);
    results.cards_in_view = await page.locator(".react-flow__node-component").count();
    results.badges = await page.locator(".live-badge").count();
    results.server_rss_mb_start = Math.round(rssKb(server.child.pid) / 1024);
    results.at_1x = await sample(page, cdp, MEASURE_S);
    await page.screenshot({ path: join(ensureArtifacts(), "live-perf-100.png") });
    await page.getByLabel("Speed").selectOption("60");
    results.at_60x = await sample(page, cdp, MEASURE_S);
    results.at_1x_again = (await page.getByLabel("Speed").selectOption("1"), await sample(page, cdp, MEASURE_S));
    results.server_rss_mb_end = Math.round(rssKb(server.child.pid) / 1024);
  } finally {
    await browser.close();
    server.stop();
  }
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(join(ensureArtifacts(), "live-perf.json"), JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
