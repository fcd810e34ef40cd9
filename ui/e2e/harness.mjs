// Starts a real `archsim serve` on a free loopback port and a headless
// Debian Chromium (playwright-core, never a downloaded browser).
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const artifacts = join(repo, "artifacts", "ui");

export function archsimBin() {
  const candidates = [
    process.env.ARCHSIM_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, "debug", "archsim"),
    join(repo, "target", "debug", "archsim"),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no archsim binary (tried ${candidates.join(", ")}); run cargo build -p archsim-cli or set ARCHSIM_BIN`);
  return found;
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a starter design with the real CLI. */
export function newDesign(path, template = "blank") {
  execFileSync(archsimBin(), ["new", "--template", template, "--force", path]);
}

/**
 * Writes a large design of `chains` chains client -> API Gateway -> Lambda
 * -> DynamoDB table (4 components, 3 connections each), in five blocks side
 * by side: a wide, busy canvas. Ids are `client-000`, `api-000`, `fn-000`,
 * `table-000`, ...; `at(i, column)` is where chain i's column sits.
 */
/** Writes `chains` client -> API -> function -> table chains. With
 * `traffic`, a scenario sends `traffic.rps` (Poisson) from every client and
 * `traffic.hot` from chain 0's, whose function has a reserved concurrency
 * of 1, so it throttles. */
export function writeChains(path, chains, traffic = null) {
  const components = [];
  const connections = [];
  const scenarios = [];
  for (let i = 0; i < chains; i++) {
    const id = (k) => `${k}-${String(i).padStart(3, "0")}`;
    components.push({ id: id("client"), kind: "client", name: `Client ${i}`, position: chainAt(i, 0) });
    components.push({ id: id("api"), kind: "api_gateway", name: `API ${i}`, position: chainAt(i, 1) });
    const fn = { id: id("fn"), kind: "lambda_function", name: `Handler ${i}`, position: chainAt(i, 2) };
    if (traffic && i === 0) fn.props = { reserved_concurrency: 1 };
    components.push(fn);
    components.push({ id: id("table"), kind: "dynamodb_table", name: `Table ${i}`, position: chainAt(i, 3) });
    connections.push({ id: id("c1"), from: id("client"), to: id("api"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c2"), from: id("api"), to: id("fn"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c3"), from: id("fn"), to: id("table"), kind: { meaning: "uses", access: "read_write" } });
  }
  if (traffic) {
    const entries = components.filter((c) => c.kind === "client");
    const rps = (c, i) => (i === 0 ? traffic.hot : traffic.rps);
    scenarios.push({ name: "steady", duration_s: 3600, seed: 1, traffic: entries.map((c, i) => ({ entry: c.id, pattern: { type: "poisson", rps: rps(c, i) } })) });
  }
  writeFileSync(path, JSON.stringify({ format: 1, name: `${chains * 4} components`, components, connections, scenarios }, null, 2));
}
export const chainAt = (i, column) => ({ x: (i % 5) * 1040 + column * 240, y: Math.floor(i / 5) * 96 });

/** Starts `archsim serve` and resolves with its URL (token included). */
export async function startServe(design, dir, env = process.env) {
  const child = spawn(
    archsimBin(),
    ["serve", design, "--port", "0", "--recovery-dir", join(dir, "recovery"), "--ui-dir", join(repo, "ui", "dist")],
    { stdio: ["ignore", "pipe", "pipe"], env },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`archsim serve printed no URL in 15 s: ${out} ${err}`)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on("exit", (code) => fail(new Error(`archsim serve exited ${code}: ${err}`)));
  });
  return { url, child, stop: () => child.kill("SIGINT") };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export function ensureArtifacts() {
  mkdirSync(artifacts, { recursive: true });
  return artifacts;
}

/**
 * Opens the designer served at `url` in a new 1440x900 page. Console errors
 * and page errors go into `problems` (the tests assert it stays empty).
 */
export async function openDesigner(browser, url, problems, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, ...options });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(url);
  await page.getByTestId("doc-title").waitFor();
  return page;
}

/**
 * Serves, from a fresh folder, the design `make(dir)` writes there and opens
 * it in `browser`; the server goes into `servers` for the caller to stop.
 */
export async function openFresh(browser, make, servers, problems, prefix = "archsim-e2e-") {
  const dir = tempDir(prefix);
  const server = await startServe(make(dir), dir);
  servers.push(server);
  return openDesigner(browser, server.url, problems);
}

/** The design as the core behind `server` holds it (positions, groups),
 * read from the page with the server's token. */
export async function documentNow(page, server) {
  const token = new URL(server.url).hash.replace("#token=", "");
  return page.evaluate(async (t) => (await fetch("/api/document", { headers: { "x-archsim-token": t } })).json(), token);
}

/** Reads the design every 100 ms until `ready(doc)` holds, for up to
 * `timeoutMs`; returns the last one read either way (the caller asserts). */
export async function documentWhen(page, server, ready, timeoutMs = 10000) {
  const start = Date.now();
  let doc = await documentNow(page, server);
  while (!ready(doc) && Date.now() - start < timeoutMs) {
    await page.waitForTimeout(100);
    doc = await documentNow(page, server);
  }
  return doc;
}
