// The README's screenshots, taken in Debian's Chromium against a real
// `archsim serve`: `node ui/e2e/screenshots.mjs [out-dir]` (default
// docs/screenshots). Needs a built UI (npx vite build) and the CLI
// (cargo build -p archsim-cli, or ARCHSIM_BIN).
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, newDesign, openDesigner, repo, startServe, tempDir } from "./harness.mjs";

const out = process.argv[2] ?? join(repo, "docs", "screenshots");
mkdirSync(out, { recursive: true });
const dir = tempDir("archsim-shots-");
const browser = await launch();
const problems = [];

async function shoot(design, name, act = async () => {}) {
  const serve = await startServe(design, dir);
  try {
    const page = await openDesigner(browser, serve.url, problems);
    await page.waitForTimeout(400);
    await act(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, `${name}.png`) });
    await page.close();
  } finally {
    serve.stop();
  }
}

try {
  const blank = join(dir, "blank.archsim.json");
  newDesign(blank, "blank");
  await shoot(blank, "empty-canvas");
  const example = join(dir, "alb-fargate.archsim.json");
  copyFileSync(join(repo, "examples", "alb-fargate.archsim.json"), example);
  await shoot(example, "example");
  await shoot(example, "inspector-task-definition", async (page) => {
    await page.locator('.react-flow__node[data-id="orders-task"]').click();
    await page.locator(".inspector-head", { hasText: "orders-task" }).waitFor();
  });
  const api = join(dir, "serverless-api.archsim.json");
  copyFileSync(join(repo, "examples", "serverless-api.archsim.json"), api);
  await shoot(api, "simulation", async (page) => {
    await page.getByTestId("sim-start").click();
    await page.getByLabel("Speed").selectOption("10");
    await page.waitForTimeout(4000);
  });
  await shoot(api, "cost-panel", async (page) => {
    await page.getByRole("button", { name: "Cost", exact: true }).click();
    await page.getByTestId("cost-total").waitFor();
    await page.waitForTimeout(500);
  });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`screenshots in ${out}`);
