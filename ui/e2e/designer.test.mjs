// End to end: the real UI in Chromium against a real `archsim serve`.
// Each step leaves a screenshot in artifacts/ui/.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ensureArtifacts, launch, openDesigner, newDesign, repo, startServe, tempDir } from "./harness.mjs";

let server;
let browser;
let page;
let dir;
const problemsSeen = [];
const shots = ensureArtifacts();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });

before(async () => {
  dir = tempDir("archsim-e2e-");
  const design = join(dir, "start.archsim.json");
  newDesign(design, "blank");
  server = await startServe(design, dir);
  browser = await launch();
  page = await openDesigner(browser, server.url, problemsSeen);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const canvas = () => page.locator(".react-flow__pane");
const node = (id) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function dropFromPalette(kind, x, y) {
  await page.getByTestId(`palette-${kind}`).dragTo(canvas(), { targetPosition: { x, y } });
}

/** Waits until a locator's box stops moving (a fresh node may still be settling under load). */
async function settled(locator) {
  let last = null;
  for (let i = 0; i < 40; i++) {
    const box = await locator.boundingBox();
    if (box && last && box.x === last.x && box.y === last.y && box.width === last.width) return box;
    last = box;
    await page.waitForTimeout(50);
  }
  return last;
}

async function dragHandle(from, to) {
  await settled(node(from));
  await settled(node(to));
  const src = node(from).locator(".react-flow__handle.source");
  const dst = node(to).locator(".react-flow__handle.target");
  const a = await src.boundingBox();
  const b = await dst.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 20, { steps: 8 });
  // Over the target node first: the core's verdict shows as a tooltip.
  const card = await node(to).boundingBox();
  await page.mouse.move(card.x + card.width / 2, card.y + card.height / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
}

test("the page loads under the CSP with the palette's categories", async () => {
  for (const heading of ["Event sources", "Compute", "Containers", "Networking", "Data", "Registries", "Security"]) {
    await page.locator(".palette-group h3", { hasText: heading }).waitFor();
  }
  await page.getByLabel("Search components").fill("lamb");
  assert.equal(await page.locator(".palette-item").count(), 1);
  await page.getByLabel("Search components").fill("");
  // The first minute: three steps and the starters to begin from.
  const empty = page.getByTestId("empty-canvas");
  await empty.locator("li", { hasText: "Connect" }).waitFor();
  assert.ok((await empty.locator("button").count()) >= 3, "the starters are offered");
  // The legend folds away, and stays folded.
  await page.getByRole("button", { name: "Legend ▾" }).click();
  assert.equal(await page.locator(".legend-row").count(), 0);
  await page.getByRole("button", { name: "Legend ▸" }).click();
  assert.ok((await page.locator(".legend-row").count()) > 5);
  // "?" explains connections, simulating, pricing and exporting.
  await page.getByRole("button", { name: "Help", exact: true }).click();
  const help = page.getByTestId("help");
  for (const topic of ["Connections mean something", "Simulate", "Price", "Export", "Keyboard shortcuts"]) await help.getByText(topic, { exact: true }).waitFor();
  await shot("00b-help");
  await help.click();
  await help.waitFor({ state: "detached" });
  await shot("00-empty");
});

test("the first card dropped on an empty canvas stays where it was dropped", async () => {
  const pane = await canvas().boundingBox();
  await dropFromPalette("sqs_queue", 120, 120);
  await node("sqs_queue-1").waitFor();
  await page.waitForTimeout(300);
  const box = await settled(node("sqs_queue-1"));
  const centre = { x: box.x + box.width / 2 - pane.x, y: box.y + box.height / 2 - pane.y };
  assert.ok(Math.abs(centre.x - 120) < 40 && Math.abs(centre.y - 120) < 40, `dropped at 120,120, drawn at ${centre.x},${centre.y}`);
  await page.getByTestId("empty-canvas").waitFor({ state: "detached" });
  await node("sqs_queue-1").click();
  await page.keyboard.press("Delete");
  await node("sqs_queue-1").waitFor({ state: "detached" });
});

test("drag a Lambda function and an S3 bucket from the palette, connect them, see the meaning", async () => {
  await dropFromPalette("s3_bucket", 300, 250);
  await node("s3_bucket-1").waitFor();
  await dropFromPalette("lambda_function", 700, 250);
  await node("lambda_function-1").waitFor();
  await shot("01-added");
  await dragHandle("s3_bucket-1", "lambda_function-1");
  await page.getByTestId("connect-tip").filter({ hasText: "invokes asynchronously" }).waitFor();
  await shot("02-connect-tooltip");
  await page.mouse.up();
  await page.locator(".react-flow__edge-text", { hasText: "invokes asynchronously" }).waitFor();
  await page.locator(".react-flow__edge.meaning-invoke_async").waitFor();
  const dash = await page.locator(".react-flow__edge.meaning-invoke_async path.react-flow__edge-path").getAttribute("style");
  assert.match(dash, /stroke-dasharray: 8(px)?,? 5/, "async is dashed");
  await page.getByTestId("toast").filter({ hasText: "invokes asynchronously" }).waitFor();
  await page.locator('.problem[data-code="LAMBDA_ASYNC_NO_FAILURE_DESTINATION"]').waitFor();
  await shot("03-connected");
});

test("cards' handles sit where CARD_HANDLES says (edges and the overview use those numbers, not a measurement)", async () => {
  // The declared handles, read from the source they are declared in.
  const source = readFileSync(join(repo, "ui", "src", "geometry.ts"), "utf8");
  const declared = [...source.matchAll(/type: "(target|source)", position: Position\.\w+, x: ([^,]+), y: (-?[\d.]+), width: (\d+), height: (\d+)/g)].map((m) => ({
    type: m[1],
    x: m[2].includes("NODE_W") ? Number(/NODE_W = (\d+)/.exec(source)[1]) - Number(/NODE_W - (\d+)/.exec(m[2])[1]) : Number(m[2]),
    y: Number(m[3]),
    width: Number(m[4]),
    height: Number(m[5]),
  }));
  assert.equal(declared.length, 2, "both handles found in geometry.ts");
  // Where the browser lays them out, in canvas units from the card's corner.
  const measured = await node("lambda_function-1").evaluate((el) => {
    const zoom = Number(/scale\(([\d.]+)\)/.exec(document.querySelector(".react-flow__viewport").style.transform)[1]);
    const card = el.getBoundingClientRect();
    return [...el.querySelectorAll(".react-flow__handle")].map((h) => {
      const r = h.getBoundingClientRect();
      return { type: h.classList.contains("source") ? "source" : "target", x: (r.left - card.left) / zoom, y: (r.top - card.top) / zoom, width: r.width / zoom, height: r.height / zoom };
    });
  });
  for (const d of declared) {
    const m = measured.find((h) => h.type === d.type);
    assert.ok(m, `a ${d.type} handle on the card`);
    for (const k of ["x", "y", "width", "height"]) {
      assert.ok(Math.abs(m[k] - d[k]) <= 1, `${d.type} handle ${k}: declared ${d[k]}, laid out at ${m[k].toFixed(2)}`);
    }
  }
});

test("a disallowed connection is refused with the core's reason", async () => {
  await dropFromPalette("client", 500, 480);
  await node("client-1").waitFor();
  await dragHandle("lambda_function-1", "client-1");
  await page.getByTestId("connect-tip").filter({ hasText: "where traffic starts" }).waitFor();
  await shot("04-refused-tooltip");
  await page.mouse.up();
  await page.getByTestId("toast").filter({ hasText: "where traffic starts" }).waitFor();
  assert.equal(await page.locator(".react-flow__edge").count(), 1, "no edge was added");
  await shot("05-refused-toast");
});

test("a property edit raises a problem and clears it; out of range is refused inline", async () => {
  await node("lambda_function-1").click();
  const reserved = page.locator("#field-reserved_concurrency");
  await reserved.fill("950");
  await reserved.press("Enter");
  const problem = page.locator('.problem[data-code="LAMBDA_UNRESERVED_BELOW_MIN"]');
  await problem.waitFor();
  await shot("06-problem-raised");
  await reserved.fill("100");
  await reserved.press("Enter");
  await problem.waitFor({ state: "detached" });
  const memory = page.locator("#field-memory_mb");
  await memory.fill("64");
  await memory.press("Enter");
  await page.getByTestId("field-memory_mb").locator(".field-error", { hasText: "10240" }).waitFor();
  await shot("07-out-of-range");
  // Typing back the value the model holds clears the refusal.
  await memory.fill("128");
  await memory.press("Enter");
  await page.getByTestId("field-memory_mb").locator(".field-error").waitFor({ state: "detached" });
});

test("undo and redo, by button and by keyboard", async () => {
  const problem = page.locator('.problem[data-code="LAMBDA_UNRESERVED_BELOW_MIN"]');
  await page.getByTestId("undo").click();
  await problem.waitFor();
  assert.equal(await page.locator("#field-reserved_concurrency").inputValue(), "950");
  await page.getByTestId("redo").click();
  await problem.waitFor({ state: "detached" });
  // Keyboard: focus the canvas, undo the reserved concurrency edit twice.
  await canvas().click({ position: { x: 420, y: 80 } });
  await page.keyboard.press("Control+z");
  await problem.waitFor();
  await page.keyboard.press("Control+Shift+z");
  await problem.waitFor({ state: "detached" });
  await shot("08-undo-redo");
});

test("select, delete and undo; duplicate with Ctrl+D", async () => {
  await node("client-1").click();
  await page.locator(".inspector-head", { hasText: "client-1" }).waitFor();
  await page.keyboard.press("Delete");
  await node("client-1").waitFor({ state: "detached" });
  await page.keyboard.press("Control+z");
  await node("client-1").waitFor();
  await node("client-1").click();
  await page.keyboard.press("Control+d");
  await node("client-2").waitFor();
  await page.keyboard.press("Control+z");
  await node("client-2").waitFor({ state: "detached" });
});

test("marquee selects several; Ctrl+C, Ctrl+V pastes copies with their connection", async () => {
  const a = await node("s3_bucket-1").boundingBox();
  const b = await node("lambda_function-1").boundingBox();
  await page.mouse.move(Math.min(a.x, b.x) - 30, Math.min(a.y, b.y) - 30);
  await page.mouse.down();
  await page.mouse.move(Math.max(a.x + a.width, b.x + b.width) + 30, Math.max(a.y + a.height, b.y + b.height) + 30, { steps: 10 });
  await page.mouse.up();
  // Both cards and the connection between them.
  await page.locator(".inspector", { hasText: "3 selected" }).waitFor();
  assert.equal(await page.locator(".react-flow__node.selected").count(), 2);
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await node("s3_bucket-2").waitFor();
  await node("lambda_function-2").waitFor();
  assert.equal(await page.locator(".react-flow__edge.meaning-invoke_async").count(), 2, "the connection among the copies is copied");
  await shot("09-pasted");
  await page.getByTestId("undo").click();
  await node("s3_bucket-2").waitFor({ state: "detached" });
  assert.equal(await page.locator(".react-flow__edge").count(), 1);
});

test("save as, start a new design, reopen and find the same design", async () => {
  await page.getByRole("button", { name: "Save as" }).click();
  await page.locator("#picker-name").fill("saved-design");
  await page.getByTestId("picker-ok").click();
  await page.getByTestId("doc-title").filter({ hasText: "saved-design.archsim.json" }).waitFor();
  assert.equal(await page.getByTestId("dirty").count(), 0, "saved: not dirty");
  const saved = JSON.parse(readFileSync(join(dir, "saved-design.archsim.json"), "utf8"));
  assert.deepEqual(saved.components.map((c) => c.id).sort(), ["client-1", "lambda_function-1", "s3_bucket-1"]);
  assert.equal(saved.connections[0].kind.meaning, "invoke");
  assert.equal(saved.components.find((c) => c.id === "lambda_function-1").props.reserved_concurrency, 100);

  await page.getByRole("button", { name: "New" }).click();
  await page.getByTestId("starter-queue-worker").click();
  await page.getByTestId("dirty").waitFor();
  await node("s3_bucket-1").waitFor({ state: "detached" });
  await shot("10-new-from-starter");

  await page.getByRole("button", { name: "Open" }).click();
  // Unsaved starter: the app asks first.
  await page.getByRole("button", { name: "Discard changes" }).click();
  // Saved a moment ago: first in the recent files; one click opens it.
  await page.getByTestId("recent-files").waitFor();
  assert.match(await page.getByTestId("recent-files").locator("li").first().innerText(), /saved-design\.archsim\.json/);
  await shot("10b-open-recent");
  await page.getByTestId("recent-files").getByRole("button", { name: /saved-design\.archsim\.json/ }).click();
  await node("lambda_function-1").waitFor();
  await page.locator(".react-flow__edge-text", { hasText: "invokes asynchronously" }).waitFor();
  assert.equal(await page.locator(".react-flow__node-component").count(), 3);
  await node("lambda_function-1").click();
  assert.equal(await page.locator("#field-reserved_concurrency").inputValue(), "100");
  await shot("11-reopened");
});

test("a component dropped on a cluster's frame joins the cluster", async () => {
  await page.getByRole("button", { name: "Fit", exact: true }).click();
  await dropFromPalette("ecs_cluster", 120, 120);
  await node("ecs_cluster-1").waitFor();
  const frame = page.locator('[data-testid^="frame-ecs_cluster-1"]');
  await frame.waitFor();
  const box = await node("ecs_cluster-1").boundingBox();
  const pane = await canvas().boundingBox();
  // Just below the cluster card, still inside its frame.
  await dropFromPalette("ecs_service", box.x - pane.x + box.width / 2, box.y - pane.y + box.height + 12);
  await node("ecs_service-1").waitFor();
  await node("ecs_service-1").click();
  assert.equal(await page.locator("#component-cluster").inputValue(), "ecs_cluster-1-group-1");
  await shot("12-cluster-frame");
});

test("dragging a card out of its cluster's frame takes it out; dragging it back puts it in", async () => {
  const drag = async (id, dx, dy) => {
    const b = await settled(node(id));
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(b.x + b.width / 2 + (dx * i) / 10, b.y + b.height / 2 + (dy * i) / 10);
    await page.mouse.up();
  };
  const cluster = () => page.locator("#component-cluster").inputValue();
  await drag("ecs_service-1", 420, 260);
  await node("ecs_service-1").click();
  await page.waitForFunction(() => document.querySelector("#component-cluster")?.value === "");
  assert.equal(await cluster(), "");
  await shot("12b-dragged-out-of-cluster");
  await drag("ecs_service-1", -420, -260);
  await node("ecs_service-1").click();
  await page.waitForFunction(() => document.querySelector("#component-cluster")?.value === "ecs_cluster-1-group-1");
  assert.equal(await cluster(), "ecs_cluster-1-group-1");
});

test("the selection goes in a VPC frame; the frame's × removes it, keeping the cards", async () => {
  await node("ecs_cluster-1").click();
  await page.keyboard.down("Shift");
  await node("ecs_service-1").click();
  await page.keyboard.up("Shift");
  await page.getByTestId("frame-selection").selectOption("vpc");
  const frame = page.getByTestId("frame-vpc-1");
  await frame.waitFor();
  assert.match(await frame.innerText(), /VPC: VPC 1/);
  await shot("12c-vpc-frame");
  await page.getByRole("button", { name: "Remove frame VPC 1" }).click();
  await frame.waitFor({ state: "detached" });
  assert.equal(await node("ecs_service-1").count(), 1, "the cards stay");
  await page.getByTestId("undo").click();
  await frame.waitFor();
  await page.getByTestId("undo").click();
  await frame.waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
});

test("unsaved work left when archsim stops is offered back on the next launch", async () => {
  await node("lambda_function-1").click();
  await page.locator("#component-name").fill("Renamed before the stop");
  await page.locator("#component-name").press("Enter");
  await page.getByTestId("dirty").waitFor();
  const path = join(dir, "saved-design.archsim.json");
  await new Promise((ok) => {
    server.child.on("exit", ok);
    server.stop();
  });
  server = await startServe(path, dir);
  await page.goto(server.url);
  await page.getByRole("alert").filter({ hasText: "Unsaved work" }).waitFor();
  await shot("13-recovery-offer");
  await page.getByRole("button", { name: "Recover" }).click();
  await node("lambda_function-1").filter({ hasText: "Renamed before the stop" }).waitFor();
  await page.getByTestId("dirty").waitFor();
  // A reload does not offer back the work that is on screen.
  await page.reload();
  await node("lambda_function-1").filter({ hasText: "Renamed before the stop" }).waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.getByRole("alert").filter({ hasText: "Unsaved work" }).count(), 0, "no offer of what is on screen");
  // Stopped again with the work unsaved: offered; Save (not Recover) ends the offer.
  await new Promise((ok) => {
    server.child.on("exit", ok);
    server.stop();
  });
  server = await startServe(path, dir);
  await page.goto(server.url);
  const banner = page.getByRole("alert").filter({ hasText: "Unsaved work" });
  await banner.waitFor();
  await page.getByRole("button", { name: "Recover" }).click();
  await banner.waitFor({ state: "detached" });
  await page.getByTestId("dirty").waitFor();
  await page.keyboard.press("Control+s");
  await page.getByTestId("dirty").waitFor({ state: "detached" });
  await page.reload();
  await page.getByTestId("doc-title").waitFor();
  await page.waitForTimeout(500);
  assert.equal(await banner.count(), 0, "saved: nothing to recover");
});

test("clicking a problem selects the components involved", async () => {
  await page.locator('.problem[data-code="LAMBDA_ASYNC_NO_FAILURE_DESTINATION"] button').click();
  await page.locator(".inspector-head", { hasText: "lambda_function-1" }).waitFor();
  assert.equal(await page.locator('.react-flow__node.selected[data-id="lambda_function-1"]').count(), 1);
});

test("a connection can take another meaning its pair allows, as one undoable edit", async () => {
  await page.getByRole("button", { name: "Fit", exact: true }).click();
  await dropFromPalette("lambda_function", 560, 430);
  await node("lambda_function-2").waitFor();
  await dragHandle("lambda_function-1", "lambda_function-2");
  await page.mouse.up();
  const edge = page.locator(".react-flow__edge.meaning-invoke_sync");
  await edge.waitFor();
  // The middle of a bezier edge is on the curve: click its wide hit path there.
  await edge.locator(".react-flow__edge-interaction").click({ force: true });
  await page.locator(".inspector", { hasText: "Connection" }).waitFor();
  await shot("14-connection-inspector");
  await page.locator("#connection-meaning").selectOption("invoke_async");
  await edge.waitFor({ state: "detached" });
  assert.equal(await page.locator(".react-flow__edge.meaning-invoke_async").count(), 2);
  await shot("15-meaning-switched");
  await page.getByTestId("undo").click();
  await edge.waitFor();
});

test("import a CloudFormation template: its components on the canvas and the report", async () => {
  await page.getByTestId("import-template").click();
  // The recovered design is unsaved: the app asks first.
  await page.getByRole("button", { name: "Discard changes" }).click();
  await page.getByRole("dialog", { name: "Import SAM / CloudFormation template" }).waitFor();
  await page.locator("#picker-name").fill(join(repo, "tests/iac/templates/alb-fargate-paths.yaml"));
  await page.getByTestId("picker-ok").click();
  const report = page.getByTestId("import-report");
  await report.waitFor();
  await report.getByText(/Mapped to components \(\d+\)/).waitFor();
  assert.match(await report.innerText(), /AWS::ElasticLoadBalancingV2::LoadBalancer/);
  assert.match(await report.innerText(), /Connections inferred \([1-9]\d*\)/);
  await shot("16-import-report");
  await page.getByRole("button", { name: "OK" }).click();
  await page.getByTestId("doc-title").filter({ hasText: "not saved yet" }).waitFor();
  await page.getByTestId("dirty").waitFor();
  assert.ok((await page.locator(".react-flow__node-component").count()) >= 5, "the template's components are drawn");
  await page.locator(".react-flow__node-component", { hasText: "Application Load Balancer" }).first().waitFor();
  await shot("17-imported-canvas");
});

test("export SAM YAML and JSON: the core's template text, downloaded through the browser", async () => {
  await page.getByRole("button", { name: "New" }).click();
  await page.getByRole("button", { name: "Discard changes" }).click();
  await page.getByTestId("starter-queue-worker").click();
  await page.getByTestId("dirty").waitFor();
  await page.getByTestId("export-template").click();
  const text = page.getByTestId("template-text");
  await page.waitForFunction(() => document.querySelector('[data-testid="template-text"]')?.value.includes("Transform"));
  const yaml = await text.inputValue();
  assert.match(yaml, /Transform: AWS::Serverless-2016-10-31/);
  assert.match(yaml, /Type: AWS::Serverless::Function/);
  // A starter is a production design: the stack's KMS key is exported.
  assert.match(yaml, /Type: AWS::KMS::Key/);
  await page.getByTestId("export-notes").filter({ hasText: "client" }).waitFor();
  await shot("18-export-sam-yaml");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("template-download").click()]);
  assert.match(download.suggestedFilename(), /\.sam\.yaml$/);
  const saved = join(dir, download.suggestedFilename());
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, "utf8"), yaml);
  await page.getByLabel("JSON").check();
  await page.waitForFunction(() => document.querySelector('[data-testid="template-text"]')?.value.trimStart().startsWith("{"));
  assert.equal(JSON.parse(await text.inputValue()).Transform, "AWS::Serverless-2016-10-31");
  await page.getByLabel("CloudFormation").check();
  await page.waitForFunction(() => !document.querySelector('[data-testid="template-text"]')?.value.includes("AWS::Serverless"));
  await shot("19-export-cloudformation-json");
  // The sandbox profile: the minimal stack, without the key.
  await page.getByLabel("Export profile").selectOption("sandbox");
  await page.waitForFunction(() => !document.querySelector('[data-testid="template-text"]')?.value.includes("AWS::KMS::Key"));
  // Three stacks: each its own file; the compute stack imports what the
  // network and data stacks export.
  await page.getByLabel("Three stacks: network, data, compute").check();
  const stacks = page.getByTestId("export-stack");
  await stacks.waitFor();
  assert.deepEqual(await stacks.locator("option").allInnerTexts(), ["network.json", "data.json", "compute.json"]);
  await stacks.selectOption({ label: "compute.json" });
  await page.waitForFunction(() => document.querySelector('[data-testid="template-text"]')?.value.includes("Fn::ImportValue"));
  await shot("19c-export-three-stacks");
  await page.getByRole("button", { name: "Close" }).click();
});

test("export a SAM project: the core's files, zipped in the browser", async () => {
  await page.getByTestId("export-template").click();
  await page.getByTestId("export-project").check();
  const files = page.getByTestId("project-files");
  await files.filter({ hasText: "src/accept-job/main.go" }).waitFor();
  const listed = await files.innerText();
  for (const f of ["template.yaml", "samconfig.toml", "README.md", "events/accept-job/jobs-api.json"]) {
    assert.ok(listed.includes(f), `${f} is listed`);
  }
  await shot("19b-export-sam-project");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("project-download").click()]);
  assert.equal(download.suggestedFilename(), "queue-backed-workers.zip");
  const saved = join(dir, download.suggestedFilename());
  await download.saveAs(saved);
  const bytes = readFileSync(saved);
  assert.equal(bytes.readUInt32LE(0), 0x04034b50, "a zip archive");
  // Stored entries: names and texts are in the archive as they are.
  const text = bytes.toString("utf8");
  assert.ok(text.includes("queue-backed-workers/template.yaml"));
  assert.ok(text.includes("CodeUri: src/accept-job/"));
  await page.getByRole("button", { name: "Close" }).click();
});

test("export the diagram as PNG and SVG under the page's CSP", async () => {
  const save = async (testId) => {
    await page.getByTestId("export-image").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    return { name: download.suggestedFilename(), bytes: readFileSync(file) };
  };
  const png = await save("image-png");
  assert.match(png.name, /\.png$/);
  assert.ok(png.bytes.length > 10_000, `PNG of ${png.bytes.length} bytes`);
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG magic bytes");
  copyFileSync(join(dir, png.name), join(shots, "20-diagram-export.png"));
  const svg = await save("image-svg");
  assert.match(svg.name, /\.svg$/);
  const text = svg.bytes.toString("utf8");
  assert.match(text, /<svg/);
  assert.match(text, /Queue-backed|Lambda function|SQS/, "the components' text is in the SVG");
  writeFileSync(join(shots, "20-diagram-export.svg"), text);
});

test("no console errors and no CSP violations", () => {
  assert.deepEqual(problemsSeen, []);
});
