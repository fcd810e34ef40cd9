// Accessibility: axe-core (run in the page through the DevTools protocol,
// which the page's CSP does not apply to) on the designer's main screens:
// the empty canvas, an example with a component selected, the cost panel
// and the scenario editor. No serious or critical violation.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch, newDesign, openFresh, repo } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
const servers = [];
const problemsSeen = [];

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.stop();
});

const open = (design) => openFresh(browser, design, servers, problemsSeen, "archsim-a11y-");

/** Serious and critical violations on the page as it is, as readable lines. */
async function violations(page) {
  const result = await page.evaluate(async (src) => {
    (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }, axeSource);
  return result.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join("; ")}`);
}

test("the empty canvas has no serious accessibility violation", async () => {
  const page = await open((dir) => {
    const p = join(dir, "blank.archsim.json");
    newDesign(p, "blank");
    return p;
  });
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test("an example with a task definition selected, the cost panel and the scenario editor have none", async () => {
  const page = await open((dir) => {
    const p = join(dir, "alb-fargate.archsim.json");
    copyFileSync(join(repo, "examples", "alb-fargate.archsim.json"), p);
    return p;
  });
  await page.locator('.react-flow__node[data-id="orders-task"]').click();
  await page.locator(".inspector-head", { hasText: "orders-task" }).waitFor();
  assert.deepEqual(await violations(page), [], "example + inspector");
  await page.getByTestId("cost-toggle").click();
  await page.getByTestId("cost-total").waitFor();
  assert.deepEqual(await violations(page), [], "cost panel");
  await page.getByTestId("tab-scenario").click();
  await page.getByLabel("Scenario editor").waitFor();
  assert.deepEqual(await violations(page), [], "scenario editor");
  await page.close();
});
