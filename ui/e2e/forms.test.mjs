// End to end: the inspector's forms are made from the model's schema. Enums
// are dropdowns of the model's values, booleans toggles, and containers,
// port mappings and environment variables have structured editors; JSON
// only behind the "advanced" toggle. A wrong value is refused in the
// model's own words.
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { documentNow, documentWhen, ensureArtifacts, launch, openDesigner, repo, startServe, tempDir } from "./harness.mjs";

let server;
let browser;
let page;
const problemsSeen = [];
const shots = ensureArtifacts();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });

before(async () => {
  const dir = tempDir("archsim-forms-");
  const design = join(dir, "alb-fargate.archsim.json");
  copyFileSync(join(repo, "examples", "alb-fargate.archsim.json"), design);
  server = await startServe(design, dir);
  browser = await launch();
  page = await openDesigner(browser, server.url, problemsSeen);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const node = (id) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** The property's value as the model holds it, read through the advanced JSON view. */
async function modelValue(path) {
  const field = page.getByTestId(`field-${path}`);
  await field.getByTitle("Edit as JSON (advanced)").click();
  const text = await page.locator(`textarea#field-${path}`).inputValue();
  await field.getByTitle("Back to the form").click();
  return JSON.parse(text);
}

test("a task definition's enums are dropdowns of the model's values", async () => {
  await node("orders-task").click();
  await page.locator(".inspector-head", { hasText: "orders-task" }).waitFor();
  const mode = page.locator("select#field-network_mode");
  // The head can show before the form: wait for the field, not the head.
  await mode.waitFor();
  assert.deepEqual(await mode.locator("option").allTextContents(), ["awsvpc", "bridge", "host", "none"]);
  assert.deepEqual(await page.locator("select#field-architecture").locator("option").allTextContents(), ["x86_64", "arm64"]);
  // Nested enums too: a port mapping's protocol.
  assert.deepEqual(await page.locator("select#field-containers-0-port_mappings-0-protocol option").allTextContents(), ["tcp", "udp"]);
  assert.equal(await page.locator("textarea#field-containers").count(), 0, "containers are not raw JSON");
  assert.equal(await page.locator("#field-containers-0-essential").getAttribute("role"), "switch", "booleans are toggles");
  await shot("forms-01-task-definition");
});

test("containers are edited in place: image, a port mapping added, an environment variable", async () => {
  const image = page.locator("#field-containers-0-image");
  await image.fill("orders:2.0.0");
  await image.press("Enter");
  await page.getByTestId("field-containers-0-port_mappings-1").waitFor({ state: "detached" });
  await page.locator("#field-containers-0-port_mappings").click();
  await page.getByTestId("field-containers-0-port_mappings-1").waitFor();
  await page.locator("#field-containers-0-environment").fill("LOG_LEVEL");
  await page.getByTestId("field-containers").getByRole("button", { name: "Add", exact: true }).last().click();
  const value = page.locator("#field-containers-0-environment-LOG_LEVEL");
  await value.fill("debug");
  await value.press("Enter");
  await page.waitForTimeout(200);
  const containers = await modelValue("containers");
  assert.equal(containers[0].image, "orders:2.0.0");
  assert.equal(containers[0].port_mappings.length, 2);
  assert.equal(containers[0].environment.LOG_LEVEL, "debug");
  await shot("forms-02-container-edited");
  // Undo takes the last edit back, as for any property.
  await page.getByTestId("undo").click();
  await page.waitForTimeout(200);
  assert.equal((await modelValue("containers"))[0].environment.LOG_LEVEL, "");
});

test("a wrong nested value is refused with the model's sentence", async () => {
  const cpu = page.locator("#field-containers-0-cpu");
  await cpu.fill("999999");
  await cpu.press("Enter");
  const error = page.getByTestId("field-containers").locator(".field-error");
  await error.waitFor();
  assert.match(await error.textContent(), /cpu/i);
  await shot("forms-03-refused");
  await cpu.fill("512");
  await cpu.press("Enter");
  await error.waitFor({ state: "detached" });
});

test("a choice is applied at once; an optional one can be unset", async () => {
  await node("orders-table").click();
  await page.locator(".inspector-head", { hasText: "orders-table" }).waitFor();
  const billing = page.locator("select#field-billing");
  await billing.waitFor();
  assert.deepEqual(await billing.locator("option").allTextContents(), ["on_demand", "provisioned"]);
  await billing.selectOption("provisioned");
  await page.waitForFunction(() => document.querySelector("select#field-billing")?.value === "provisioned");
  const stream = page.locator("select#field-stream");
  await stream.waitFor();
  assert.deepEqual(await stream.locator("option").allTextContents(), ["not set", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]);
  await stream.selectOption("NEW_IMAGE");
  await page.waitForFunction(() => document.querySelector("select#field-stream")?.value === "NEW_IMAGE");
  await stream.selectOption("");
  await page.waitForFunction(() => document.querySelector("select#field-stream")?.value === "");
  await shot("forms-04-table");
});

test("dragging a cluster by its card brings its members along and keeps them in it", async () => {
  await page.keyboard.press("Escape");
  const before = await documentNow(page, server);
  const clusterY = (d) => d.components.find((c) => c.id === "cluster").position.y;
  const card = await node("cluster").boundingBox();
  await page.mouse.move(card.x + 60, card.y + 20);
  await page.mouse.down();
  await page.mouse.move(card.x + 60, card.y + 140, { steps: 10 });
  await page.mouse.up();
  await documentWhen(page, server, (d) => clusterY(d) !== clusterY(before), 5000);
  await page.waitForTimeout(300);
  const after = await documentNow(page, server);
  const members = (d) => [...d.groups.find((g) => g.owner === "cluster").members].sort();
  assert.deepEqual(members(after), members(before), "the services and capacity stay in the cluster");
  await page.getByTestId("undo").click();
});

test("zoomed out as far as it goes, the minimap still shows the design", async () => {
  await page.locator(".react-flow__pane").click({ position: { x: 300, y: 60 } });
  for (let i = 0; i < 30; i++) await page.keyboard.press("-");
  await page.waitForTimeout(500);
  const sizes = await page.locator(".react-flow__minimap-node").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  assert.ok(sizes.length > 10 && Math.min(...sizes) >= 6, `minimap cards ${sizes.map((w) => w.toFixed(1)).join(", ")} px wide`);
  await page.keyboard.press("f");
});

test("traffic goes only where it can: the scenario offers no role, cluster or task definition; an entry point offers 'Send traffic here'", async () => {
  await page.getByTestId("tab-scenario").click();
  const into = page.getByTestId("traffic-0").locator("select").first();
  await into.waitFor();
  const offered = await into.locator("option").allTextContents();
  for (const none of ["orders-role", "exec-role", "cluster", "orders-task", "orders-repo", "fargate"])
    assert.ok(!offered.some((o) => o.includes(`(${none})`)), `${none} is offered: ${offered.join(", ")}`);
  assert.ok(offered.some((o) => o.includes("(browsers)")) && offered.some((o) => o.includes("(alb)")), offered.join(", "));
  // No Client card needed: the load balancer takes traffic straight away.
  const rows = await page.locator('[data-testid^="traffic-"].traffic-row').count();
  await node("alb").click();
  await page.getByTestId("send-traffic").click();
  await page.getByTestId(`traffic-${rows}`).waitFor();
  assert.equal(await page.getByTestId(`traffic-${rows}`).locator("select").first().inputValue(), "alb");
  await page.getByTestId("send-traffic").waitFor({ state: "detached" });
  await node("orders-role").click();
  await page.locator(".inspector-head", { hasText: "orders-role" }).waitFor();
  assert.equal(await page.getByTestId("send-traffic").count(), 0, "a role takes no traffic");
  await shot("forms-05-send-traffic");
  assert.deepEqual(problemsSeen, []);
});

test("a traffic's SNS message attributes and body are JSON the scenario keeps; text that is not JSON is marked, not applied", async () => {
  await page.getByTestId("tab-scenario").click();
  const row = page.getByTestId("traffic-0");
  const attributes = row.getByTestId("message-attributes");
  await attributes.fill('{"event": "order_placed", "price_usd": 210.75, "interests": ["rugby"]}');
  await attributes.blur();
  const body = row.getByTestId("message-body");
  await body.fill('{"order": {"total": 60');
  await body.blur();
  await row.locator(".field.invalid").waitFor();
  await body.fill('{"order": {"total": 60}}');
  await body.blur();
  assert.equal(await row.locator(".field.invalid").count(), 0);
  await page.getByTestId("scenario-apply").click();
  const doc = await documentWhen(page, server, (d) => d.scenarios[0]?.traffic[0]?.request?.message_body !== undefined);
  const request = doc.scenarios[0].traffic[0].request;
  assert.deepEqual(request.message_attributes, { event: "order_placed", interests: ["rugby"], price_usd: 210.75 });
  assert.deepEqual(request.message_body, { order: { total: 60 } });
  await shot("forms-06-message-attributes");
  // Emptied, they are gone from the file again.
  await attributes.fill("");
  await attributes.blur();
  await body.fill("");
  await body.blur();
  await page.getByTestId("scenario-apply").click();
  const cleared = await documentWhen(page, server, (d) => d.scenarios[0]?.traffic[0]?.request?.message_body === undefined);
  assert.equal(cleared.scenarios[0].traffic[0].request.message_attributes, undefined);
  assert.deepEqual(problemsSeen, []);
});

test("AWS's hidden assumptions are the design's: the idle expiry is set, and a value out of range is refused with the reason", async () => {
  await page.keyboard.press("Escape");
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  const whatIf = page.getByTestId("what-if");
  await whatIf.locator("summary").click();
  const expiry = page.locator("#account-idle-expiry");
  assert.equal(await expiry.inputValue(), "600");
  await expiry.fill("300");
  await expiry.press("Enter");
  let doc = await documentWhen(page, server, (d) => d.account.lambda_idle_expiry_s === 300);
  assert.equal(doc.account.lambda_idle_expiry_s, 300);
  await page.locator("#account-scaling").selectOption("legacy_burst");
  doc = await documentWhen(page, server, (d) => d.account.lambda_scaling === "legacy_burst");
  assert.equal(doc.account.lambda_scaling, "legacy_burst");
  await shot("forms-06-what-if");
  await expiry.fill("5");
  await expiry.press("Enter");
  await page.getByTestId("toast").filter({ hasText: "60..86400" }).waitFor();
  assert.equal(await expiry.inputValue(), "300", "the refused value gives way to the design's");
});
