// End to end: the cost panel and the run report in Chromium against a real
// `archsim serve`, checked against `archsim cost --json` run here on the
// same file with the same toggles. Screenshots in artifacts/ui/cost-*.png.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { archsimBin, ensureArtifacts, launch, openDesigner, repo, startServe, tempDir } from "./harness.mjs";

let server;
let browser;
let page;
let dir;
let design;
const problemsSeen = [];
const shots = ensureArtifacts();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });

/** The CLI's bill of the design file: `archsim cost FILE --json ARGS`. */
function cliTotal(...args) {
  const out = execFileSync(archsimBin(), ["cost", design, "--json", ...args], { encoding: "utf8" });
  return JSON.parse(out).report.total_usd;
}

const total = () => page.getByTestId("cost-total").getAttribute("data-usd");

/** Waits until the panel shows a total other than `before` and no update is pending. */
async function totalChangedFrom(before) {
  await page.waitForFunction(
    (b) => {
      const t = document.querySelector('[data-testid="cost-total"]');
      return t && t.getAttribute("data-usd") !== b && !document.querySelector('[data-testid="cost-loading"]');
    },
    before,
    { timeout: 20000 },
  );
  return total();
}

before(async () => {
  dir = tempDir("archsim-cost-e2e-");
  design = join(dir, "serverless-api.archsim.json");
  // The example with a resource archsim does not model (a WAF web ACL, as
  // an import brings in): AWS bills it, the book cannot price it.
  const example = JSON.parse(readFileSync(join(repo, "examples", "serverless-api.archsim.json"), "utf8"));
  example.components.push({
    id: "waf",
    kind: "generic",
    name: "Web ACL",
    position: { x: 0, y: 250 },
    props: { resource_type: "AWS::WAFv2::WebACL", properties: {} },
  });
  writeFileSync(design, JSON.stringify(example, null, 2));
  server = await startServe(design, dir);
  browser = await launch();
  page = await openDesigner(browser, server.url, problemsSeen, { acceptDownloads: true });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("the cost panel's total is what archsim cost --json prints for the same file", async () => {
  await page.getByTestId("cost-toggle").click();
  await page.getByTestId("cost-total").waitFor();
  await page.getByTestId("cost-curve").waitFor();
  await page.getByTestId("cost-breakeven").waitFor();
  assert.equal(await total(), cliTotal());
  assert.match(await page.getByTestId("cost-crossings").innerText(), /cost the same at [\d.]+ requests\/s/);
  assert.match(await page.getByTestId("cost-assumptions").innerText(), /free tier off · Lambda billing 1 ms/);
  assert.equal(await page.getByTestId("cost-scenario").inputValue(), "launch-day");
  await page.locator(".cost-lines summary").click();
  assert.ok((await page.getByTestId("cost-lines").locator("tbody tr").count()) > 3);
  await shot("cost-01-panel");
  await page.getByTestId("cost-breakeven").scrollIntoViewIfNeeded();
  // The charts are drawn at the width they are shown at: not scaled, so
  // their text keeps the size the core gave it (at least 11 px).
  for (const id of ["cost-curve", "cost-breakeven"]) {
    const { natural, shown } = await page.getByTestId(id).evaluate((img) => ({ natural: img.naturalWidth, shown: img.clientWidth }));
    assert.ok(natural < 1000, `${id} drawn at the panel's width, not 1000 px`);
    assert.ok(Math.abs(natural - shown) <= 1, `${id}: drawn ${natural} px wide, shown ${shown} px`);
  }
  assert.match(await page.locator("figure", { has: page.getByTestId("cost-breakeven") }).locator("figcaption").innerText(), /Lambda \d+ MB, .* vs Fargate/);
  await shot("cost-01b-charts");
  await page.getByTestId("cost-total").scrollIntoViewIfNeeded();
});

test("a component the bill does not price is listed, the total says so, and the inspector says why", async () => {
  const cli = JSON.parse(execFileSync(archsimBin(), ["cost", design, "--json"], { encoding: "utf8" })).report;
  assert.equal(cli.total_complete, false);
  assert.deepEqual(cli.not_priced.map((n) => n.component_id), ["waf"]);
  // The example's Cognito pool and traced API are priced now.
  assert.ok(cli.line_items.some((l) => l.component_id === "users" && l.service === "Amazon Cognito"));
  assert.ok(cli.line_items.some((l) => l.service === "AWS X-Ray"));
  const row = page.getByTestId("cost-not-priced");
  assert.equal(await row.count(), 1);
  assert.match(await row.first().innerText(), /not priced: a CloudFormation resource archsim does not model/);
  assert.match(await page.getByTestId("cost-incomplete").innerText(), /incomplete: 1 component not priced/);
  // The docked panel narrows the canvas: fit the whole design to reach the card.
  await page.keyboard.press("Shift+F");
  await page.waitForTimeout(300);
  await page.locator('.react-flow__node[data-id="waf"]').click();
  const limits = page.getByTestId("layer-limits");
  await limits.waitFor();
  const text = await limits.innerText();
  assert.match(text, /the simulator does not know what this resource does/);
  assert.match(text, /not priced: a CloudFormation resource archsim does not model/);
  await shot("cost-01c-not-priced");
});

test("free tier and 100 ms billing change the total as the CLI's flags do", async () => {
  const base = await total();
  await page.getByTestId("cost-free-tier").check();
  const free = await totalChangedFrom(base);
  assert.equal(free, cliTotal("--free-tier", "on"));
  assert.ok(Number(free) < Number(base), `free tier ${free} < ${base}`);
  await page.getByTestId("cost-billing").selectOption("100ms");
  const legacy = await totalChangedFrom(free);
  assert.equal(legacy, cliTotal("--free-tier", "on", "--billing", "100ms"));
  assert.ok(Number(legacy) > Number(free), `100 ms billing ${legacy} > ${free}`);
  await shot("cost-02-free-tier-100ms");
  await page.getByTestId("cost-billing").selectOption("1ms");
  await page.getByTestId("cost-free-tier").uncheck();
  assert.equal(await totalChangedFrom(legacy), base);
});

test("the simulated source prices the run as archsim cost --simulate does", async () => {
  const estimate = await total();
  await page.getByLabel("Simulated run").check();
  const measured = await totalChangedFrom(estimate);
  assert.equal(measured, cliTotal("--simulate"));
  await page.getByTestId("cost-total").locator("..").filter({ hasText: /simulated \d+ s \(seed \d+\)/ }).waitFor();
  await shot("cost-03-simulated");
  await page.getByLabel("Scenario estimate").check();
  assert.equal(await totalChangedFrom(measured), estimate);
});

test("a property edit re-prices the design; after saving, the CLI agrees", async () => {
  const before = await total();
  // The node may sit under the panel: a DOM click selects it wherever it is.
  await page.locator('.react-flow__node[data-id="orders-fn"]').dispatchEvent("click");
  await page.locator(".inspector-head", { hasText: "orders-fn" }).waitFor();
  const memory = page.locator("#field-memory_mb");
  await memory.fill(String(Number(await memory.inputValue()) * 2));
  await memory.press("Enter");
  const after = await totalChangedFrom(before);
  assert.ok(Number(after) > Number(before), `twice the memory costs more: ${after} > ${before}`);
  await page.getByTestId("save").click();
  await page.getByTestId("dirty").waitFor({ state: "detached" });
  assert.equal(after, cliTotal());
  await shot("cost-04-after-edit");
});

test("the run report downloads a self-contained HTML page and two CSV files", async () => {
  const downloads = [];
  const three = new Promise((ok) => {
    page.on("download", (d) => {
      downloads.push(d);
      if (downloads.length === 3) ok();
    });
  });
  await page.getByTestId("run-report").click();
  await three;
  const files = {};
  for (const d of downloads) {
    const path = join(dir, d.suggestedFilename());
    await d.saveAs(path);
    files[d.suggestedFilename()] = readFileSync(path, "utf8");
  }
  const names = Object.keys(files).sort();
  assert.deepEqual(names, [
    "serverless-rest-api.launch-day.components.csv",
    "serverless-rest-api.launch-day.html",
    "serverless-rest-api.launch-day.series.csv",
  ]);
  const html = files["serverless-rest-api.launch-day.html"];
  assert.match(html, /^<!doctype html>/);
  for (const external of ["http://", "https://", "src=", "<script", "<link"]) assert.ok(!html.includes(external), `no ${external}`);
  const saved = JSON.parse(readFileSync(design, "utf8"));
  assert.ok(html.includes(saved.name));
  for (const c of saved.components) assert.ok(html.includes(`data-id="${c.id}"`), `${c.id} is in the report`);
  // The report prices the simulated run: the same bill as archsim cost --simulate.
  assert.ok(html.includes(`<td id="total-usd">${cliTotal("--simulate")}</td>`));
  const csv = files["serverless-rest-api.launch-day.components.csv"].trimEnd().split("\n");
  assert.equal(csv.length, saved.components.length + 1, "a header and one row per component");
  const header = csv[0].split(",");
  assert.equal(header[0], "component");
  for (const row of csv.slice(1)) assert.equal(row.split(",").length, header.length, row);
  const series = files["serverless-rest-api.launch-day.series.csv"].trimEnd().split("\n");
  assert.equal(series[0], "component,second,arrivals,completions,errors,throttles,cold_starts,concurrency,tasks,queue_depth,instances,environments");
  // The function reports its execution environments (alive, idle, lifetime).
  const fnRow = csv.find((r) => r.startsWith("orders-fn,")).split(",");
  assert.ok(Number(fnRow[header.indexOf("mean_environments")]) > 0, fnRow.join(","));
  assert.ok(series.some((r) => r.startsWith("orders-fn,0,")));
  await page.getByTestId("toast").filter({ hasText: "two CSV files" }).waitFor();
  await shot("cost-05-report-downloaded");
  // The page itself, as a reader sees it (opened from disk, no server).
  const report = join(shots, "cost-report.html");
  writeFileSync(report, html);
  const reader = await browser.newPage({ viewport: { width: 1300, height: 1800 } });
  await reader.goto(pathToFileURL(report).href);
  await reader.locator("#diagram").waitFor();
  await reader.screenshot({ path: join(shots, "cost-06-report-page.png"), fullPage: false });
  await reader.close();
});

test("a design without a scenario shows why in the panel", async () => {
  await page.getByRole("button", { name: "New" }).click();
  await page.getByTestId("starter-blank").click();
  const error = page.getByTestId("cost-error");
  await error.filter({ hasText: "no scenario" }).waitFor();
  assert.equal(await page.getByTestId("cost-total").count(), 0);
  await shot("cost-07-no-scenario");
});

test("no console errors and no CSP violations", () => {
  assert.deepEqual(problemsSeen, []);
});
