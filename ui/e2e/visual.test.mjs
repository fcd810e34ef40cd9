// Visual comparisons: the designer's main screens against reference images
// kept in the repository (ui/e2e/reference/). A screen may differ from its
// reference by at most MAX_DIFF of its pixels (pixelmatch, per-pixel
// threshold 0.1: anti-aliasing and sub-pixel text do not count). A change
// to how a screen looks is made on purpose: run with UPDATE_REFERENCE=1,
// look at the new images, and commit them. A failure writes the screen and
// a diff image to artifacts/ui/visual-*.png.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { ensureArtifacts, launch, newDesign, openFresh, repo } from "./harness.mjs";

const REFERENCE = join(repo, "ui", "e2e", "reference");
const MAX_DIFF = 0.005;
const update = process.env.UPDATE_REFERENCE === "1";
const shots = ensureArtifacts();
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

async function open(design) {
  const page = await openFresh(browser, design, servers, problemsSeen, "archsim-visual-");
  // No caret, no transitions: what is compared is what is drawn.
  await page.addStyleTag({ content: "*, *::before, *::after { caret-color: transparent !important; transition: none !important; animation: none !important; }" });
  return page;
}

const example = (name) => (dir) => {
  const p = join(dir, `${name}.archsim.json`);
  copyFileSync(join(repo, "examples", `${name}.archsim.json`), p);
  return p;
};

/** Compares a screenshot with its reference; with UPDATE_REFERENCE=1, replaces the reference. */
function compare(name, png) {
  const file = join(REFERENCE, `${name}.png`);
  if (update) {
    mkdirSync(REFERENCE, { recursive: true });
    writeFileSync(file, png);
    return;
  }
  assert.ok(existsSync(file), `${file} is missing: run UPDATE_REFERENCE=1 node --test ui/e2e/visual.test.mjs, look at it, and commit it`);
  const want = PNG.sync.read(readFileSync(file));
  const got = PNG.sync.read(png);
  assert.deepEqual([got.width, got.height], [want.width, want.height], `${name}: size`);
  const diff = new PNG({ width: want.width, height: want.height });
  const differing = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: 0.1 });
  const share = differing / (want.width * want.height);
  if (share > MAX_DIFF) {
    writeFileSync(join(shots, `visual-${name}.png`), png);
    writeFileSync(join(shots, `visual-${name}-diff.png`), PNG.sync.write(diff));
  }
  assert.ok(share <= MAX_DIFF, `${name}: ${(share * 100).toFixed(2)}% of pixels differ from the reference (at most ${MAX_DIFF * 100}%); see artifacts/ui/visual-${name}-diff.png`);
}

test("the empty canvas looks as its reference", async () => {
  const page = await open((dir) => {
    const p = join(dir, "blank.archsim.json");
    newDesign(p, "blank");
    return p;
  });
  await page.getByTestId("empty-canvas").waitFor();
  compare("empty-canvas", await page.screenshot());
  await page.close();
});

test("an example, its task definition's inspector and the cost panel look as their references", async () => {
  const page = await open(example("alb-fargate"));
  await page.locator('.react-flow__node[data-id="orders-task"]').waitFor();
  // Opened at a readable zoom, every card shows its name whole.
  const cut = await page.locator(".card-name").evaluateAll((names) => names.filter((n) => n.scrollHeight > n.clientHeight + 1).map((n) => n.textContent));
  assert.deepEqual(cut, [], "names cut short");
  compare("example-canvas", await page.locator(".react-flow").screenshot());
  await page.locator('.react-flow__node[data-id="orders-task"]').click();
  await page.locator(".inspector-head", { hasText: "orders-task" }).waitFor();
  compare("task-definition-inspector", await page.locator(".inspector").screenshot());
  await page.getByTestId("cost-toggle").click();
  await page.getByTestId("cost-total").waitFor();
  await page.getByTestId("cost-curve").waitFor();
  await page.getByTestId("cost-curve").evaluate((img) => img.decode());
  compare("cost-panel", await page.getByTestId("cost-panel").screenshot());
  assert.deepEqual(problemsSeen, []);
  await page.close();
});
