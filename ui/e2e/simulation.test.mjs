// End to end: the live simulation in the real UI (Chromium) against a real
// `archsim serve`: edit a scenario, run it, watch the clock and badges,
// pause and resume, open a component's charts, a trace's waterfall and the
// placement of tasks on instances. Screenshots go to artifacts/ui/.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ensureArtifacts, launch, openDesigner, newDesign, startServe, tempDir } from "./harness.mjs";

let browser;
const servers = [];
const problemsSeen = [];
const shots = ensureArtifacts();

async function openDesign(template, env = process.env, change = null) {
  const dir = tempDir(`archsim-sim-e2e-${template}-`);
  const design = join(dir, `${template}.archsim.json`);
  newDesign(design, template);
  if (change) {
    const d = JSON.parse(readFileSync(design, "utf8"));
    change(d);
    writeFileSync(design, JSON.stringify(d, null, 2));
  }
  const server = await startServe(design, dir, env);
  servers.push(server);
  const page = await openDesigner(browser, server.url, problemsSeen);
  await page.locator(".react-flow__node").first().waitFor();
  return page;
}

/** Seconds on the simulation clock (`m:ss` or `h:mm:ss`). */
async function clockSeconds(page) {
  const text = await page.locator(".clock-now").innerText();
  return text
    .split(":")
    .map(Number)
    .reduce((acc, x) => acc * 60 + x, 0);
}

async function waitFor(what, check, timeoutMs = 15000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.stop();
});

let page;

test("the scenario editor edits traffic with a preview, as one undoable edit", async () => {
  page = await openDesign("serverless-api");
  await page.getByTestId("tab-scenario").click();
  const editor = page.getByLabel("Scenario editor");
  await editor.waitFor();
  assert.equal(await page.getByTestId("scenario-name").inputValue(), "launch-day");
  assert.equal(await page.getByTestId("pattern-type").inputValue(), "step");
  const before = await page.getByTestId("traffic-preview").locator("polyline").getAttribute("points");
  await page.getByTestId("pattern-to_rps").fill("900");
  const after = await page.getByTestId("traffic-preview").locator("polyline").getAttribute("points");
  assert.notEqual(before, after, "the preview follows the numbers");
  await page.getByTestId("scenario-duration").fill("-5");
  await page.getByTestId("scenario-apply").click();
  // The core flags it, naming the field.
  await page.locator(".scenario-problems li", { hasText: "duration_s" }).waitFor();
  await page.screenshot({ path: join(shots, "sim-01-scenario-problem.png") });
  await page.getByTestId("scenario-duration").fill("300");
  await page.getByTestId("scenario-apply").click();
  await waitFor("the problem to go", async () => (await page.locator(".scenario-problems li").count()) === 0);
  assert.ok(await page.getByTestId("dirty").isVisible());
  await page.getByTestId("undo").click();
  await waitFor("undo to bring back the -5", async () => (await page.getByTestId("scenario-duration").inputValue()) === "-5");
  await page.getByTestId("redo").click();
  await waitFor("redo", async () => (await page.getByTestId("scenario-duration").inputValue()) === "300");
  await page.screenshot({ path: join(shots, "sim-02-scenario-applied.png") });
});

test("a running simulation advances the clock and changes the badges; pause holds them", async () => {
  await page.getByLabel("Speed").waitFor({ state: "detached" }).catch(() => undefined);
  await page.getByTestId("sim-start").click();
  await page.getByTestId("sim-clock").waitFor();
  await page.getByLabel("Speed").selectOption("10");
  const t0 = await clockSeconds(page);
  const t1 = await waitFor("the clock to advance", async () => {
    const t = await clockSeconds(page);
    return t >= t0 + 3 ? t : false;
  });
  assert.ok(t1 > t0);
  const badge = page.getByTestId("badge-orders-fn");
  await badge.waitFor();
  const rps1 = await badge.locator('[data-badge="rps"]').innerText();
  assert.match(rps1, /\/s$/);
  await page.screenshot({ path: join(shots, "sim-03-running.png") });

  // Pause: the clock stands still.
  await page.getByTestId("sim-pause").click();
  await page.locator(".sim-paused").waitFor();
  const held = await clockSeconds(page);
  await page.waitForTimeout(1200);
  assert.equal(await clockSeconds(page), held, "paused");
  // Resume at 60x: the step at 2:00 to 900 rps shows on the badges.
  await page.getByTestId("sim-pause").click();
  await page.getByLabel("Speed").selectOption("60");
  // Deploy a new version that fails 20% of its requests: the canary's
  // share fails, and the card counts the errors.
  await page.getByTestId("sim-deploy").selectOption({ label: "Orders handler: version failing 20%" });
  await waitFor("the traffic step", async () => (await clockSeconds(page)) > 135);
  const rps = await waitFor("badges at the stepped rate", async () => {
    const text = await badge.locator('[data-badge="rps"]').innerText();
    const n = text.endsWith("k/s") ? parseFloat(text) * 1000 : parseFloat(text);
    return n > 500 ? n : false;
  });
  assert.ok(rps > 500, `badge says ${rps}/s after the step to 900/s`);
  assert.ok(await badge.locator('[data-badge="cold"]').isVisible(), "cold starts are counted");
  await waitFor("the canary's errors on the card", async () => (await badge.locator('[data-badge="err"]').count()) > 0);
  // The deployment is on the card: the new version's share while the canary
  // runs (marked bad once it fails), then its rollback by the alarm.
  const deploy = badge.locator('[data-badge="deploy"]');
  const shown = await waitFor("the deployment on the card", async () => {
    const text = (await deploy.count()) > 0 ? await deploy.innerText() : "";
    return /^v2 (10%|rolled back)/.test(text) ? text : false;
  });
  if (shown !== "v2 10%") assert.equal(await deploy.getAttribute("class"), "b-bad", `${shown} is marked`);
  await page.getByTestId("node-orders-fn").screenshot({ path: join(shots, "sim-04b-deploy-card.png") });
  // The card shows two rows of numbers; every number is in its tooltip.
  assert.match(await badge.getAttribute("title"), /p99 \d+(\.\d+)?(ms|s): 99th percentile latency/, "p99 latency is in the tooltip");
  assert.ok(await page.getByTestId("badge-api").locator('[data-badge="p99"]').isVisible(), "the API's p99 is on its card");
  // Every card's live numbers stay inside the card's footprint: they cannot
  // cover the card below.
  for (const id of ["orders-fn", "api", "orders", "clients"]) {
    const card = await page.getByTestId(`node-${id}`).boundingBox();
    const inside = await page.getByTestId(`badge-${id}`).boundingBox();
    assert.ok(card && inside, `${id} has a card and live numbers`);
    assert.ok(
      inside.x >= card.x && inside.y >= card.y && inside.x + inside.width <= card.x + card.width + 0.5 && inside.y + inside.height <= card.y + card.height + 0.5,
      `${id}: badge ${JSON.stringify(inside)} outside card ${JSON.stringify(card)}`,
    );
  }
  assert.equal(await page.locator(".react-flow__edge.flowing").count() > 0, true, "edges animate with throughput");
  await page.screenshot({ path: join(shots, "sim-04-after-step.png") });
});

test("clicking a component opens its live charts", async () => {
  await page.locator('.react-flow__node[data-id="orders-fn"]').click();
  const charts = page.getByTestId("node-charts");
  await charts.waitFor();
  const rate = charts.locator('figure[data-chart="rate"] polyline').first();
  await rate.waitFor();
  const points = (await rate.getAttribute("points")).split(" ");
  assert.ok(points.length > 100, `one point per simulated second so far (${points.length})`);
  assert.ok(await charts.locator('figure[data-chart="busy"]').isVisible());
  // A function's chart shows its execution environments beside its concurrency.
  assert.match(await charts.locator('figure[data-chart="busy"] .chart-keys').innerText(), /environments [1-9]/);
  // Beside the card, not over it.
  const card = await page.locator('.react-flow__node[data-id="orders-fn"]').boundingBox();
  const box = await charts.boundingBox();
  const overlap = box.x < card.x + card.width && card.x < box.x + box.width && box.y < card.y + card.height && card.y < box.y + box.height;
  assert.ok(!overlap, `the charts ${JSON.stringify(box)} leave the card ${JSON.stringify(card)} in view`);
  await page.screenshot({ path: join(shots, "sim-05-node-charts.png") });
  await charts.getByLabel("Close charts").click();
  await charts.waitFor({ state: "detached" });
});

test("a sampled request opens as a waterfall", async () => {
  await page.getByTestId("tab-traces").click();
  const item = page.getByTestId("trace-item").first();
  await item.waitFor({ timeout: 20000 });
  await item.click();
  const rows = page.getByTestId("waterfall-row");
  await waitFor("waterfall rows", async () => (await rows.count()) >= 3);
  const names = await rows.locator(".waterfall-name").allInnerTexts();
  assert.ok(names.some((n) => /order/i.test(n)), `the function is on the waterfall: ${names}`);
  await page.screenshot({ path: join(shots, "sim-06-trace-waterfall.png") });
  // Restart goes back to 0:00 with the same seed.
  await page.getByTestId("sim-restart").click();
  await waitFor("the clock back near zero", async () => (await clockSeconds(page)) < 30);
  // An edit does not reach the running simulation: the bar says so and
  // restarts on the design as it is now, at the same speed.
  await page.locator('.react-flow__node[data-id="orders-fn"]').click();
  const reserved = page.locator("#field-reserved_concurrency");
  await reserved.fill("5");
  await reserved.press("Enter");
  const again = page.getByTestId("sim-restart-changed");
  await again.waitFor();
  await page.waitForTimeout(1500);
  await again.click();
  await again.waitFor({ state: "detached" });
  await waitFor("the clock restarted", async () => (await clockSeconds(page)) < 20);
  assert.equal(await page.getByLabel("Speed").inputValue(), "60", "speed kept");
  // Five environments for the 900 rps step: the function throttles and turns amber or red.
  await waitFor(
    "the throttled function to change colour",
    async () => ["strained", "failing"].includes(await page.getByTestId("badge-orders-fn").getAttribute("data-health")),
    30000,
  );
  await page.screenshot({ path: join(shots, "sim-06b-restart-with-changes.png") });
  await page.getByTestId("sim-stop").click();
  await page.getByTestId("sim-start").waitFor();
  assert.equal(await page.getByTestId("badge-orders-fn").count(), 0, "badges go with the run");
  await page.close();
});

test("the placement view shows tasks on instances by zone", async () => {
  page = await openDesign("ecs-ec2-placement");
  await page.getByTestId("tab-placement").click();
  await page.getByTestId("sim-start").click();
  await page.getByLabel("Speed").selectOption("60");
  const instances = page.getByTestId("instance");
  await waitFor("instances in service", async () => (await instances.count()) > 0, 20000);
  const tasksOnInstances = await waitFor("tasks on instances", async () => {
    const n = await page.locator(".instance .task").count();
    return n > 0 ? n : false;
  });
  assert.ok(tasksOnInstances > 0);
  const zones = await page.locator(".capacity .zone-name").allInnerTexts();
  assert.ok(zones.length >= 2, `instances spread over zones: ${zones}`);
  await page.screenshot({ path: join(shots, "sim-07-placement.png") });
  await page.getByTestId("sim-stop").click();
  await page.close();
});

test("a Karpenter node group launches the cheapest type that fits, and the placement view names it", async () => {
  // No nodes of the group's own: the web pods start Pending, Karpenter
  // batches them and launches one node of the type it chose.
  page = await openDesign("eks-platform", process.env, (d) => {
    const nodes = d.components.find((c) => c.id === "nodes").props;
    Object.assign(nodes, { autoscaler: "karpenter", min_size: 0, desired_size: 0 });
  });
  await page.getByTestId("tab-placement").click();
  await page.getByTestId("sim-start").click();
  await page.getByLabel("Speed").selectOption("60");
  const named = await waitFor(
    "a Karpenter node",
    async () => {
      const names = await page.locator(".instance .instance-name").allInnerTexts();
      return names.find((n) => /c5\.large|c5\.xlarge|m5\.large|m5\.xlarge/.test(n)) ?? false;
    },
    20000,
  );
  // 3 pods of 500 m and 1 GiB: a c5.large holds them and is the cheapest.
  assert.match(named, /c5\.large/);
  // The group's heading says a NodePool chooses the types.
  assert.match(await page.locator(".capacity-title").first().innerText(), /Karpenter \(own nodes m5\.xlarge\)/);
  await waitFor("pods on the node", async () => (await page.locator(".instance .task").count()) >= 3);
  // What the run does not simulate as Karpenter does is said beside the clock.
  await page.getByTestId("sim-notes").locator("summary").click();
  assert.match(await page.getByTestId("sim-notes").innerText(), /Karpenter/);
  await page.screenshot({ path: join(shots, "sim-08-karpenter-placement.png") });
  await page.getByTestId("sim-stop").click();
  await page.close();
});

test("no console errors", () => {
  assert.deepEqual(problemsSeen, []);
});

test("Present says so when no window can open (no display), instead of reporting success", async () => {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const page = await openDesign("serverless-api", env);
  await page.getByRole("button", { name: "Present", exact: true }).click();
  await page.getByTestId("toast").filter({ hasText: "no window can open" }).waitFor();
  await page.screenshot({ path: join(shots, "sim-present-no-display.png") });
  await page.close();
});
